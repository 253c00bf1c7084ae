print('x'); throw 42
