var s = 'h\u00e9llo \u20ac \ud83d\ude00 \u4e2d\u6587';
print(s, s.length, s.charCodeAt(1), s.charCodeAt(8), s.charCodeAt(9));
print(s.toUpperCase(), typeof encodeURIComponent);
print('\u00e9'.length, '\ud83d\ude00'.length, String.fromCharCode(0x20ac), '\x41\x42');
s
