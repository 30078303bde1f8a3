/**
 * {@link io.mio.event.Source}: what a {@link io.mio.Registry} registers. Every socket and pipe of this library
 * is a {@code Source}; a type of your own becomes one by delegating to a source it holds (a connection type
 * wrapping a {@code TcpStream}, say), and {@link io.mio.unix.SourceFd} makes one of a raw descriptor.
 */
package io.mio.event;
