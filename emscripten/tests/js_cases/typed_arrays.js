var u8 = new Uint8Array([1, 255, 256, -1, 3.7]);
var i32 = new Int32Array(4); i32[0] = 2147483647; i32[1] = i32[0] + 1; i32[2] = -1.9; i32[3] = 'x';
var f64 = new Float64Array([0.1, 1e300, NaN]);
var f32 = new Float32Array([0.1, 16777217, 1e40]);
print(u8, u8.length);
print(i32, f64, f32);
var buf = new ArrayBuffer(8), v1 = new Uint8Array(buf), v2 = new Uint32Array(buf);
v2[0] = 0x01020304; v2[1] = 0xffffffff;
print(v1, buf.byteLength, v1.subarray(2, 6), new Int8Array(buf));
var c = new Uint8ClampedArray([300, -5, 1.5, 2.5]);
print(c);
var i16 = new Int16Array([40000, -40000]), u16 = new Uint16Array([-1]);
i16.join(',') + ' ' + u16[0] + ' ' + Uint8Array.BYTES_PER_ELEMENT + ' ' + f64.BYTES_PER_ELEMENT
