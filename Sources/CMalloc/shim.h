// glibc's malloc_trim, which the Glibc module leaves out: the master gives back what a restart freed.
#include <malloc.h>
