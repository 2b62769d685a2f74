// Passing open files over a Unix socket (SCM_RIGHTS); see descriptors.c. No system header here, so Glibc's
// socket declarations stay Glibc's in Swift.
#ifndef GFS_DESCRIPTORS_H
#define GFS_DESCRIPTORS_H

// Sends `count` bytes with `fds[0..<fdCount]` (at most 4) attached; the bytes sent, or -1 and errno.
long gfs_send_descriptors(int socket, const void *bytes, unsigned long count, const int *fds, int fdCount);

// Receives one packet of up to `capacity` bytes and up to `fdCapacity` (at most 4) attached files, each
// close-on-exec; the bytes received, or -1 and errno. `*fdCount` is how many files came; extra ones are closed,
// and so are all of them when the control message was cut short. With `fdCapacity` 0 the kernel installs none;
// with `peek` the packet stays queued; `*cut` is set when the packet was longer than `capacity`.
long gfs_receive_descriptors(int socket, void *bytes, unsigned long capacity, int *fds, int fdCapacity, int *fdCount,
                             int peek, int *cut);

// accept4(2) with SOCK_CLOEXEC, which Swift's Glibc module leaves out; the connection, or -1 and errno.
long gfs_accept_cloexec(int socket);

#endif
