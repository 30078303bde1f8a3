/**
 * The Linux backend (not exported): epoll, eventfd and the socket syscalls through {@code java.lang.foreign}.
 * {@link io.mio.internal.linux.LinuxProvider} creates its sources, one class per SPI interface
 * ({@code LinuxTcpStream}, {@code LinuxUdpSocket}, ...; {@code LinuxSource} is their shared descriptor, registration
 * and close). {@link io.mio.internal.linux.FileDesc} owns a descriptor and keeps its number valid while calls are in
 * flight; {@link io.mio.internal.linux.EpollSelector} is the Poll; {@code SocketOps}, {@code DgramOps},
 * {@code FdOps}, {@code SockOpts} and {@code UnixSock} are the syscall helpers.
 */
package io.mio.internal.linux;
