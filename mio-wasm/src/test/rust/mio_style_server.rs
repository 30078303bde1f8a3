//! A no-crates Rust guest shaped like mio_wasi's event loop: mio_style_server PORT COUNT.
//!
//! Like wasmedge_wasi_socket's `TcpListener::bind(addr, nonblocking)` it calls sock_open, sock_setsockopt
//! (SO_REUSEADDR), sock_bind, sock_listen(128) and sets O_NONBLOCK through fd_fdstat_get / fd_fdstat_set_flags;
//! like mio_wasi's selector it calls poll_oneoff directly, one FD_READ/FD_WRITE subscription per socket with
//! userdata = fd plus a MONOTONIC relative clock with userdata u64::MAX; accepted sockets go through the
//! 2-argument sock_accept, set_nonblocking and sock_getpeeraddr; connections are echoed with sock_recv /
//! sock_send and dropped with sock_shutdown(3) + fd_close. Prints "listening PORT", "peer PORT" per connection
//! and, after COUNT connections have closed, "done BYTES". A third argument "epoll" makes it wait with WasmEdge's
//! edge-triggered epoll_oneoff instead (mio_wasi's `epoll` feature): it accepts until AGAIN, and a connection's
//! subscription flips between FD_READ and FD_WRITE as its echo buffer fills and empties.

use std::env;
use std::process::exit;

#[repr(C)]
struct WasiAddress {
    buf: *const u8,
    size: usize,
}

#[repr(C)]
struct IovecRead {
    buf: *mut u8,
    size: usize,
}

#[repr(C)]
struct IovecWrite {
    buf: *const u8,
    size: usize,
}

/// `__wasi_subscription_t`: userdata @0, tag @8, union @16 (48 bytes, align 8).
#[repr(C)]
#[derive(Clone, Copy)]
struct Subscription {
    userdata: u64,
    tag: u8,
    pad: [u8; 7],
    u: [u64; 4],
}

/// `__wasi_event_t`: userdata @0, error @8, type @10, nbytes @16, flags @24 (32 bytes).
#[repr(C)]
#[derive(Clone, Copy)]
struct Event {
    userdata: u64,
    error: u16,
    kind: u8,
    pad: [u8; 5],
    nbytes: u64,
    flags: u16,
    pad2: [u8; 6],
}

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn sock_open(af: u8, ty: u8, fd: *mut u32) -> u32;
    fn sock_setsockopt(fd: u32, level: i32, name: i32, flag: *const i32, flag_size: u32) -> u32;
    fn sock_bind(fd: u32, addr: *const WasiAddress, port: u32) -> u32;
    fn sock_listen(fd: u32, backlog: u32) -> u32;
    fn sock_accept(fd: u32, new_fd: *mut u32) -> u32;
    fn sock_getlocaladdr(fd: u32, addr: *mut WasiAddress, addr_type: *mut u32, port: *mut u32) -> u32;
    fn sock_getpeeraddr(fd: u32, addr: *mut WasiAddress, addr_type: *mut u32, port: *mut u32) -> u32;
    fn sock_recv(fd: u32, buf: *const IovecRead, buf_len: usize, flags: u16, recv_len: *mut usize,
                 oflags: *mut usize) -> u32;
    fn sock_send(fd: u32, buf: *const IovecWrite, buf_len: u32, flags: u16, send_len: *mut u32) -> u32;
    fn sock_shutdown(fd: u32, flags: u8) -> u32;
    fn fd_fdstat_get(fd: u32, buf: *mut u8) -> u32;
    fn fd_fdstat_set_flags(fd: u32, flags: u32) -> u32;
    fn fd_close(fd: u32) -> u32;
    fn poll_oneoff(subs: *const Subscription, events: *mut Event, nsubs: usize, nevents: *mut usize) -> u32;
    fn epoll_oneoff(subs: *const Subscription, events: *mut Event, nsubs: usize, nevents: *mut usize) -> u32;
}

const AGAIN: u32 = 6;
const NONBLOCK: u16 = 4;

fn check(what: &str, err: u32) {
    if err != 0 {
        println!("error {} in {}", err, what);
        exit(err as i32);
    }
}

fn set_nonblocking(fd: u32) {
    let mut stat = [0u8; 24];
    unsafe {
        check("fd_fdstat_get", fd_fdstat_get(fd, stat.as_mut_ptr()));
        let flags = u16::from_le_bytes([stat[2], stat[3]]) | NONBLOCK;
        check("fd_fdstat_set_flags", fd_fdstat_set_flags(fd, (flags & 0xfff) as u32));
    }
}

struct Conn {
    fd: u32,
    pending: Vec<u8>,
}

fn main() {
    let args: Vec<String> = env::args().collect();
    let port: u32 = args.get(1).map(|s| s.parse().unwrap()).unwrap_or(0);
    let count: usize = args.get(2).map(|s| s.parse().unwrap()).unwrap_or(1);
    let edge = args.get(3).map(|s| s == "epoll").unwrap_or(false);
    let mut lfd = 0u32;
    unsafe {
        check("sock_open", sock_open(1, 2, &mut lfd));
        let one = 1i32;
        check("sock_setsockopt", sock_setsockopt(lfd, 0, 0, &one, 4));
        let ip = [127u8, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        let addr = WasiAddress { buf: ip.as_ptr(), size: 4 };
        check("sock_bind", sock_bind(lfd, &addr, port));
        check("sock_listen", sock_listen(lfd, 128));
    }
    set_nonblocking(lfd);
    let mut local = [0u8; 16];
    let mut laddr = WasiAddress { buf: local.as_mut_ptr(), size: 16 };
    let (mut ty, mut lport) = (0u32, 0u32);
    unsafe { check("sock_getlocaladdr", sock_getlocaladdr(lfd, &mut laddr, &mut ty, &mut lport)) };
    println!("listening {}", lport);

    let mut conns: Vec<Conn> = Vec::new();
    let mut closed = 0usize;
    let mut total = 0usize;
    let mut buf = vec![0u8; 16384];
    while closed < count {
        let mut subs: Vec<Subscription> = Vec::new();
        let fd_sub = |fd: u32, tag: u8| Subscription { userdata: fd as u64, tag, pad: [0; 7], u: [fd as u64, 0, 0, 0] };
        subs.push(fd_sub(lfd, 1));
        for c in &conns {
            subs.push(fd_sub(c.fd, if c.pending.is_empty() { 1 } else { 2 }));
        }
        // clock: id MONOTONIC @16, timeout @24, precision @32, flags @40 (relative)
        subs.push(Subscription { userdata: u64::MAX, tag: 0, pad: [0; 7], u: [1, 100_000_000, 1_000_000, 0] });
        let mut events = vec![Event { userdata: 0, error: 0, kind: 0, pad: [0; 5], nbytes: 0, flags: 0, pad2: [0; 6] }; subs.len()];
        let mut n = 0usize;
        unsafe {
            if edge {
                check("epoll_oneoff", epoll_oneoff(subs.as_ptr(), events.as_mut_ptr(), subs.len(), &mut n));
            } else {
                check("poll_oneoff", poll_oneoff(subs.as_ptr(), events.as_mut_ptr(), subs.len(), &mut n));
            }
        }
        for ev in &events[..n] {
            if ev.userdata == u64::MAX {
                continue;
            }
            if ev.error != 0 {
                println!("error {} in event for fd {}", ev.error, ev.userdata);
                exit(1);
            }
            let fd = ev.userdata as u32;
            if fd == lfd {
                loop {
                    let mut nfd = 0u32;
                    let err = unsafe { sock_accept(lfd, &mut nfd) };
                    if err == AGAIN {
                        break;
                    }
                    check("sock_accept", err);
                    set_nonblocking(nfd);
                    let mut peer = [0u8; 16];
                    let mut paddr = WasiAddress { buf: peer.as_mut_ptr(), size: 16 };
                    let (mut pty, mut pport) = (0u32, 0u32);
                    unsafe { check("sock_getpeeraddr", sock_getpeeraddr(nfd, &mut paddr, &mut pty, &mut pport)) };
                    println!("peer {}", pport);
                    conns.push(Conn { fd: nfd, pending: Vec::new() });
                }
                continue;
            }
            let i = match conns.iter().position(|c| c.fd == fd) {
                Some(i) => i,
                None => continue,
            };
            let mut drop_it = false;
            if conns[i].pending.is_empty() {
                let iov = IovecRead { buf: buf.as_mut_ptr(), size: buf.len() };
                let (mut got, mut oflags) = (0usize, 0usize);
                let err = unsafe { sock_recv(fd, &iov, 1, 0, &mut got, &mut oflags) };
                if err == AGAIN {
                    continue;
                }
                if err != 0 || got == 0 {
                    drop_it = true;
                } else {
                    conns[i].pending.extend_from_slice(&buf[..got]);
                }
            } else {
                let iov = IovecWrite { buf: conns[i].pending.as_ptr(), size: conns[i].pending.len() };
                let mut sent = 0u32;
                let err = unsafe { sock_send(fd, &iov, 1, 0, &mut sent) };
                if err == AGAIN {
                    continue;
                }
                if err != 0 {
                    drop_it = true;
                } else {
                    total += sent as usize;
                    conns[i].pending.drain(..sent as usize);
                }
            }
            if drop_it {
                unsafe {
                    sock_shutdown(fd, 3);
                    fd_close(fd);
                }
                conns.remove(i);
                closed += 1;
            }
        }
    }
    println!("done {}", total);
    unsafe { fd_close(lfd) };
}
