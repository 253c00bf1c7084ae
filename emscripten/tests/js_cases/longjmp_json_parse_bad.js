JSON.parse('{bad')
