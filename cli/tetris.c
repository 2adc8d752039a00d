#include <stdio.h>
#include <string.h>
int main(int argc, char **argv){ if (argc>1 && !strcmp(argv[1],"--help")) { puts("Usage: tetris"); return 0;} if (argc>1 && !strcmp(argv[1],"--version")) { puts("tetris 0.1.0"); return 0;} return 2;}
