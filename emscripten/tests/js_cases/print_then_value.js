print("hi"); 40+2
