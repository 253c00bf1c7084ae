var log = [];
function f(k) {
    try {
        log.push('try' + k);
        if (k > 1) throw new TypeError('k=' + k);
        return 'ret' + k;
    } catch (e) {
        log.push('catch ' + e.name + ' ' + e.message);
        return 'caught' + k;
    } finally {
        log.push('finally' + k);
    }
}
log.push(f(1));
log.push(f(2));
try { try { throw 1 } finally { log.push('inner finally') } } catch (e) { log.push('outer got ' + e) }
log.join(', ')
