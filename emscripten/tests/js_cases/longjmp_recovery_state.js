// after a caught parse error the context keeps working
var r = [];
try { (0, eval)('function (') } catch (e1) { r.push(String(e1)) }
try { JSON.parse('[1, 2,') } catch (e2) { r.push(String(e2)) }
try { new RegExp('a{2,1}') } catch (e3) { r.push(String(e3)) }
try { new RegExp('(?<') } catch (e4) { r.push(String(e4)) }
r.push((0, eval)('6 * 7'));
r.push(JSON.stringify(JSON.parse('{"ok":[true,null,1.5]}')));
r.push(new RegExp('(a+)(b)').exec('xaab')[1]);
r.join('\n')
