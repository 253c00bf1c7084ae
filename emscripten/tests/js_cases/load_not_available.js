print('before'); load('x.js')
