// Passing open files over a Unix socket (SCM_RIGHTS), which neither swift-nio nor swift-system offers: the
// CMSG_* macros that lay out the control message do not reach Swift.
#define _GNU_SOURCE
#include "CDescriptors.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

// Sends `count` bytes, with `fds[0..<fdCount]` (at most 4) attached to them; the bytes sent, or -1 and errno.
long gfs_send_descriptors(int socket, const void *bytes, unsigned long count, const int *fds, int fdCount) {
    if (fdCount < 0 || fdCount > 4) { errno = EINVAL; return -1; }
    union { char buffer[CMSG_SPACE(4 * sizeof(int))]; struct cmsghdr align; } control;
    memset(&control, 0, sizeof(control));
    struct iovec vector = { .iov_base = (void *)bytes, .iov_len = count };
    struct msghdr message = { .msg_iov = &vector, .msg_iovlen = 1 };
    if (fdCount > 0) {
        message.msg_control = control.buffer;
        message.msg_controllen = CMSG_SPACE(fdCount * sizeof(int));
        struct cmsghdr *header = CMSG_FIRSTHDR(&message);
        header->cmsg_level = SOL_SOCKET;
        header->cmsg_type = SCM_RIGHTS;
        header->cmsg_len = CMSG_LEN(fdCount * sizeof(int));
        memcpy(CMSG_DATA(header), fds, fdCount * sizeof(int));
    }
    return (long)sendmsg(socket, &message, MSG_NOSIGNAL);
}

// Receives one packet: up to `capacity` bytes and up to `fdCapacity` (at most 4) attached files, each opened
// close-on-exec; the bytes received, or -1 and errno. `*fdCount` is how many files came; any past `fdCapacity`
// are closed, and so are all of them when the control message was cut short. With `fdCapacity` 0 no control
// buffer is given, so the kernel installs no file a peer attached (closing one could block: a FUSE file).
// With `peek` the packet stays queued. `*cut` is set when the packet was longer than `capacity`.
long gfs_receive_descriptors(int socket, void *bytes, unsigned long capacity, int *fds, int fdCapacity,
                             int *fdCount, int peek, int *cut) {
    *fdCount = 0;
    *cut = 0;
    if (fdCapacity < 0 || fdCapacity > 4) { errno = EINVAL; return -1; }
    union { char buffer[CMSG_SPACE(8 * sizeof(int))]; struct cmsghdr align; } control;
    struct iovec vector = { .iov_base = bytes, .iov_len = capacity };
    struct msghdr message = { .msg_iov = &vector, .msg_iovlen = 1 };
    if (fdCapacity > 0) {
        message.msg_control = control.buffer;
        message.msg_controllen = sizeof(control.buffer);
    }
    long received = (long)recvmsg(socket, &message, MSG_CMSG_CLOEXEC | (peek ? MSG_PEEK : 0));
    if (received < 0) { return -1; }
    *cut = (message.msg_flags & MSG_TRUNC) != 0;
    if (fdCapacity == 0) { return received; }
    int truncated = (message.msg_flags & MSG_CTRUNC) != 0;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS || header->cmsg_len < CMSG_LEN(0)) { continue; }
        // Never past the control bytes received, whatever the header claims.
        size_t room = message.msg_controllen - (size_t)((char *)CMSG_DATA(header) - (char *)message.msg_control);
        size_t length = header->cmsg_len - CMSG_LEN(0);
        int attached = (int)((length < room ? length : room) / sizeof(int));
        for (int index = 0; index < attached; index++) {
            int fd;
            memcpy(&fd, CMSG_DATA(header) + index * sizeof(int), sizeof(int));
            if (!truncated && *fdCount < fdCapacity) { fds[(*fdCount)++] = fd; } else { close(fd); }
        }
    }
    if (truncated) {
        for (int index = 0; index < *fdCount; index++) { close(fds[index]); }
        *fdCount = 0;
    }
    return received;
}

long gfs_accept_cloexec(int socket) {
    return accept4(socket, NULL, NULL, SOCK_CLOEXEC);
}
