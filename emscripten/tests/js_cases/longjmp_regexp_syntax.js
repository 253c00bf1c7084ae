new RegExp('(')
