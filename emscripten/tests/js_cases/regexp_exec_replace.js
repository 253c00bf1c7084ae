var re = /(\d+)-(\d+)/g, s = 'a 1-2 b 33-44 c 555-6', m, out = [];
while ((m = re.exec(s)) !== null) out.push(m[0] + '@' + m.index + ':' + m[1] + '+' + m[2]);
print(out.join(' '));
print(s.replace(/(\d+)-(\d+)/g, '$2~$1'), s.replace(/\d/g, '#'));
try { s.replace(/\d/g, function (d) { return d * 2 }) } catch (e) { print('functional replace:', e.message) }
print(/^[a-z]+$/i.test('HeLLo'), /\bfoo\b/.test('a foo b'), 'a1b2c3'.split(/\d/), 'x'.match(/y/), 'aaa'.match(/a/g));
print(/(a)|(b)/.exec('b'), /a.c/.test('a\nc'), /[^\s]+/.exec('  word  ')[0], new RegExp('\\w+', 'g').source);
var r2 = /(?:x)(y)?/; r2.exec('x').length + ' ' + /a{2,3}/.exec('aaaa')[0] + ' ' + 'AbC'.replace(/[a-z]/g, '_')
