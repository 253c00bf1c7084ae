print('before'); var s = 'abc
