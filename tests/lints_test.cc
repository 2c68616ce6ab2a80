// bootc container lint parity, end to end: tests follow in the next commit.
