// glibc's malloc_trim, which the Glibc module leaves out: the master gives back what a restart freed.
// Elsewhere (macOS, musl) there is none, and giving back is the allocator's own business.
#include <stdlib.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

static inline void gfs_malloc_trim(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}
