var s = 'Hello, World';
print(s.length, s.toUpperCase(), s.toLowerCase(), s.indexOf('o'), s.lastIndexOf('o'), s.charAt(4), s.charCodeAt(0));
print(s.slice(-5), s.substring(7, 3), s.substr ? s.substr(1, 3) : 'no substr', s.split(', ').join('|'), s.replace('l', 'L'));
print('  trim me  '.trim() + '!', 'abc'.concat('def', 1), String.fromCharCode(72, 105), 'a,b,,c'.split(','), 'x'.repeat ? 'x'.repeat(3) : 'no repeat');
print('abc' < 'abd', 'B' < 'a', 'abc'.localeCompare ? 'has localeCompare' : 'no localeCompare');
s.split('').reverse().join('')
