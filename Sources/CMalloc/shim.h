// glibc's malloc_trim and mallopt, which the Glibc module leaves out: the master gives back what a restart
// freed, and keeps its namespace in one arena. Elsewhere (macOS, musl) there are none, and both are the
// allocator's own business.
#include <stdlib.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

static inline void gfs_malloc_trim(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

// One malloc arena for the whole process. glibc gives threads arenas of their own; the master's tree nodes,
// allocated on one thread and freed on another, then leave every arena fragmented (a master holding 1M files
// kept 146 MB with the default, 118 MB with one arena). Its threads mostly wait on each other anyway.
static inline void gfs_malloc_one_arena(void) {
#if defined(__GLIBC__)
    mallopt(M_ARENA_MAX, 1);
#endif
}

// Chunkservers and clients move data in buffers of megabytes, each freed as soon as it is sent or handed on.
// glibc's defaults give such memory back to the kernel at once (trimming the heap past 128 KiB, unmapping a
// large block), so the next buffer faults in fresh zeroed pages: reading at 2 GB/s, a client spent 40% of its
// CPU there. Blocks under 32 MiB come from the heap instead, and up to 128 MiB freed at its top stays. One
// arena: a second arena's heaps are 64 MiB mappings that glibc unmaps whenever one falls empty, whatever the
// trim threshold, and a chunkserver's 8 MiB push buffers emptied one every few pushes (strace: a 64 MiB
// munmap each time; 50,000-140,000 page faults in three chunkservers per GiB put). Its lock costs little:
// small blocks come from each thread's cache, and the large ones are few.
static inline void gfs_malloc_keep_freed(void) {
#if defined(__GLIBC__)
    mallopt(M_ARENA_MAX, 1);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 128 << 20);
#endif
}
