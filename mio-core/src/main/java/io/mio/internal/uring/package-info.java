/**
 * The io_uring layer and the {@code URING} backend built on it (issue 13). The layer: {@link io.mio.internal.uring.Uring}
 * (setup, mapped rings, submit and wait), the {@link io.mio.internal.uring.Sqe} flyweight, the
 * {@link io.mio.internal.uring.Cqe} cursor, {@link io.mio.internal.uring.BufferRing} (provided buffers),
 * {@link io.mio.internal.uring.UringWaker}, and {@link io.mio.internal.uring.UringUnavailableException} naming why
 * io_uring cannot be used. Raw system calls over FFM, no liburing; nothing allocated per entry, submit or completion.
 * The backend: {@link io.mio.internal.uring.UringProvider} (chosen by {@code Backends} for {@code Backend.URING}),
 * {@link io.mio.internal.uring.UringSelector} (readiness), and one source class per kind ({@code UringTcpStream},
 * ...) that wraps the epoll backend's source of that kind: its I/O is that backend's syscall code, unchanged; only
 * registration and close go through the ring ({@code UringSource}), and the streams' writes are queued on it
 * ({@link io.mio.internal.uring.UringSends}).
 *
 * <h2>mio's readiness model on the ring</h2>
 * Built: readiness, the registry, close, the waker, timeouts and signals, TCP reads from provided buffers, and
 * queued sends (opt-in), as described below. Facts marked (tested) are checked by
 * this package's tests on Linux 6.18.
 *
 * <h3>Readiness: one multishot poll per registration</h3>
 * {@code register} submits {@code POLL_ADD} with {@code IORING_POLL_ADD_MULTI}. Multishot poll is edge-triggered
 * (a completion per wake-up that finds the events ready, none while nothing new happens: tested), which is mio's
 * model; {@code res} holds the same bits as an {@code epoll_event}, so the epoll backend's mapping to readiness
 * applies unchanged. The user data is a slot and a generation, as the epoll backend's {@code epoll_data}: a completion
 * that races a deregister is dropped, never reported under a reused slot. {@code reregister} is a poll update
 * ({@code IORING_POLL_UPDATE_EVENTS | USER_DATA}), which like {@code EPOLL_CTL_MOD} reports at once what is already
 * ready, under the new token (tested); a completion is masked by the registration's current events, so one posted
 * before a reregister does not report what is no longer asked for, and the completions of one source in one reap make
 * one event. Any poll completion without {@code IORING_CQE_F_MORE} means the kernel ended the request: report its
 * {@code res} if not negative, and arm again, after the reap (arming at once into a full ring would end again at once). This is not only cancellation: when the CQ ring
 * is full the kernel ends multishot requests rather than queue their completions (FEAT_NODROP keeps completions, not
 * arming: 24 of 32 polls ended when 32 sockets became ready into a CQ ring of 8, tested); a source that is not
 * re-armed goes deaf.
 *
 * <h3>Priority (built)</h3>
 * A multishot poll reports the waker's key intersected with its events, without asking the socket again, and a
 * socket's readable wake-up key always holds {@code POLLPRI}: a {@code POLLIN | POLLPRI} poll reports {@code POLLPRI}
 * for plain data (tested). And io_uring's wake-up filter masks {@code POLLPRI} out ({@code IO_ASYNC_POLL_COMMON}), so
 * a {@code POLLPRI}-only poll is never woken by urgent data (tested). Priority interest therefore also arms
 * {@code POLLRDBAND}, which the readable key holds and TCP's poll never reports, and the poller confirms each
 * {@code POLLPRI} with a {@code poll(2)} of the descriptor before reporting it.
 *
 * <h3>Registry calls from any thread; the deregister guarantee; close (built)</h3>
 * The ring is set up {@code COOP_TASKRUN}, not {@code SINGLE_ISSUER | DEFER_TASKRUN}: a single-issuer ring refuses
 * every thread but its creator with EEXIST (tested), and a {@code Poll} may be used from any thread, a virtual thread
 * from any carrier. Every entry is prepared under one lock around the submission ring. The polling thread's
 * registry calls between two polls stay in the ring and go to the kernel with its next wait, in the same
 * {@code io_uring_enter} ({@link io.mio.internal.uring.Uring#publishPending} under the lock, then
 * {@link io.mio.internal.uring.Uring#enterAndWait} without it); other threads submit at once, and a completion they
 * cause wakes a poller already waiting, so a registration made during a blocked poll is reported by it. The kernel
 * runs a poll's completion work in the thread that submitted it, and ends that thread's polls when it exits: the
 * poller arms such a poll again (tested: a registering thread that sleeps, one that exits). Deregister frees the slot
 * (the generation check drops any later completion) and cancels by user data with {@code ASYNC_CANCEL_ALL}. Closing a
 * source must cancel first: a request holds a reference to the open file, so {@code close(2)} alone leaves the poll
 * armed and the socket open (no FIN to the peer) until the poll is cancelled (tested). {@code UringSource.close}
 * cancels and submits everything the ring holds (entries left for the poller's next wait may name this descriptor)
 * before the epoll backend's close; a re-arm holds the descriptor ({@code FileDesc.tryAcquire}) until its entry is
 * submitted, so no number reaches the kernel after its owner closed it. An update or cancel that finds the poll busy
 * ({@code EALREADY}: its wake-up still waits for the poller's task work, which {@code COOP_TASKRUN} defers to the
 * poller's next kernel entry) changes nothing; the poller prepares it again for its next submit (found by the
 * reliability suite: a connection whose update to WRITABLE was lost this way hung).
 *
 * <h3>Reads from memory the kernel filled (built for TCP streams)</h3>
 * A readable registration arms a multishot {@code RECV} into the Poll's {@link io.mio.internal.uring.BufferRing}
 * instead of polling for {@code POLLIN} (both would compete for the data). Each completion names a buffer
 * ({@code flags >>> 16}); the poller queues it on its source and reports READABLE when the queue was empty. {@code read}
 * copies from the queued buffers without a system call, recycles each emptied buffer, returns would-block when the
 * queue is empty while the receive is armed, end of stream at a queued {@code res == 0} (which ends the receive:
 * tested), and throws at a queued error. Exhaustion ends the receive with {@code -ENOBUFS}; the bytes stay in the
 * socket (tested): the source reports READABLE, {@code read} falls back to {@code recv(2)}, and the receive is armed
 * again at the first short read (fewer bytes than asked, would-block included, or a read that only drained the queue):
 * an edge-triggered reader may stop at a short read, and with the receive ended nothing else watches the socket. Armed
 * only at would-block, a reader that stopped at a short read (the benchmark's echo server) never saw another byte or
 * its peer's close: 10,000 connections sharing 512 buffers hung and kept their descriptors (tested with 1,000
 * connections on 64 buffers). The re-armed receive polls first ({@code IORING_RECVSEND_POLL_FIRST}): issued at once
 * it takes a buffer before it looks for data, so with every buffer taken it ended at once on an empty socket, and each
 * re-arm ended again, a would-block {@code recv(2)} per poll while the ring stayed empty (tested). While more connections have bytes in flight than there are buffers, most reads are
 * this fallback: a {@code recv(2)} each, plus the re-arm's entry. Memory is per Poll, not per connection: the ring's entries times its
 * buffer size (for example 4096 x 4 KiB = 16 MiB), whatever the number of connections; an idle connection holds no
 * buffer. Writable interest keeps a {@code POLLOUT} poll (without POLLIN; it still gives ERR and HUP). As built
 * ({@code UringTcpStream}): 512 x 4 KiB per Poll, registered at the first readable TCP registration; a registration
 * with PRIORITY keeps its poll (above) and plain recv(2) (no POLLPRI completion was seen with a receive armed); UDP,
 * Unix sockets and pipes keep poll readiness. A reader whose queue is empty reaps waiting completions itself when no
 * thread polls (their events go to a stash the next poll returns, re-checked as epoll re-checks its ready list), so
 * a reader that sleeps instead of polling still sees its bytes; but the polling thread's first would-block read since
 * its poll returns without touching the completion ring (an event loop's next poll reaps and reports), and only a
 * second one before the next poll reaps. A {@code reregister} with READABLE and bytes queued
 * posts a NOP whose completion reports them (as {@code EPOLL_CTL_MOD} does). Deregister submits the receive's
 * cancel at once and copies the queued bytes to the heap; completions the receive still posts are kept there too,
 * and reads would block until its last completion, so recv(2) cannot overtake them. A registration made before
 * that last completion (this Poll or another) is the stream's {@code rxNext}: its receive is armed, or, polling for
 * POLLIN, a NOP reports it, only when the old receive has ended (two receives on one socket would interleave bytes).
 * A reregister that stops reading through the receive (no READABLE, or PRIORITY) cancels it the same way, its queue
 * kept in the Poll's buffers. A reader copies from the buffers only while it holds the selector's in-flight count
 * ({@code tryEnter}), so the Poll's close cannot unmap them under it; a closing Poll's queue is dropped.
 * A stale completion of a closed source recycles its buffer.
 *
 * <h3>Writes queued as entries, and when they fail (built, the default)</h3>
 * Switched off by {@code -Dio.mio.uring.queuedSends=false} (read when a Poll opens); off, a write is the epoll
 * backend's send(2). A queued write leaves with the poller's next {@code poll} (continuations too: the next send, a
 * deferred shutdown); code that writes from the polling thread and then waits for the peer without polling again
 * (a dozen cases of the suite: write, then read the peer in a loop; write, close, stop polling; shutdown(WRITE), then
 * read to end of stream) is served by {@link io.mio.internal.uring.UringFlusher}, one daemon thread that submits and
 * reaps for a poller that has not polled for a millisecond. A write of a chunk or more with nothing queued is one
 * send(2).
 * {@code write} on a {@code TcpStream} or {@code UnixStream} registered with a URING Poll copies into a chunk of the
 * Poll's send memory ({@link io.mio.internal.uring.UringSends}: 1024 chunks of 16 KiB, mapped at the first queued
 * write; a stream holds one chunk while it has bytes queued), prepares a {@code SEND}
 * ({@code MSG_NOSIGNAL | MSG_WAITALL}, so that the kernel itself retries a send larger than the socket's free space)
 * and returns the count. The poller's writes between two polls go to the kernel with its next {@code poll}; other
 * threads' are submitted at once, as registry calls are. One send in flight per stream keeps the bytes in order:
 * bytes written meanwhile wait behind it, and the poller sends them when it reaps the completion (a short completion,
 * which {@code MSG_WAITALL} leaves only to an error, is followed by a send of the rest). With the chunk full
 * {@code write} returns would-block and WRITABLE is reported when a completion frees it; with the pool empty a stream
 * with nothing queued uses {@code send(2)} (nothing to overtake). A send that fails ({@code -EPIPE},
 * {@code -ECONNRESET}: tested, no SIGPIPE) surfaces at the poll that reaps it, as an event with ERROR and
 * WRITE_CLOSED, and as the exception of the next {@code write} (or {@code takeError}); bytes queued behind it are
 * dropped. A send the kernel ends with {@code -ECANCELED} because the thread that submitted it exited is sent
 * again by the poller. That is mio's emulation on Windows named pipes ({@code src/sys/windows/named_pipe.rs}:
 * {@code write} copies into an owned buffer, starts the overlapped write and returns the length; while it is
 * pending, would-block; its error is stored and returned by the next {@code write}), with a bounded buffer instead
 * of one write at a time.
 *
 * <p>Ordering against the rest: {@code shutdown(WRITE)} with bytes queued is applied by the poller when the last of
 * them has left. A queue holds its descriptor ({@code FileDesc.acquire}) until it drains, so {@code close} leaves
 * the socket open for the queued bytes and the FIN follows them; a linger timeout ({@code IORING_OP_TIMEOUT}, 30 s)
 * armed at close cancels the send of a peer that never reads, and the socket then closes. A deregistered (or
 * moved) stream's queue stays with its Poll until it drains; its writes join it meanwhile, and a WRITABLE the
 * queue frees is passed on as a poll update to the Poll the stream is registered with now. {@code Poll.close}
 * cancels every request of the ring synchronously ({@code IORING_REGISTER_SYNC_CANCEL} with
 * {@code IORING_ASYNC_CANCEL_ANY}, which returns once each has ended), counts the send completions nobody reaped,
 * sends each queue's rest with a non-blocking {@code send(2)} where the socket has room (a poller that wrote and
 * closed without polling again loses nothing), drops what does not fit (that stream's next write says so), unmaps
 * the send memory and releases the descriptors the queues held (deferred FINs and closes happen then).
 *
 * <h3>Waker, timeouts, signals, Poll.close (built)</h3>
 * The Waker is {@link io.mio.internal.uring.UringWaker}: an eventfd with a multishot poll, written and never read on
 * the hot path; wakes coalesce into at least one completion and a wake after reaping gives a new one (tested); re-armed
 * when its completion lacks F_MORE. {@code IORING_OP_MSG_RING} also works (tested) but needs a ring of the waking
 * thread; it suits loops waking each other (one ring per loop). Timeouts go to the kernel as a timespec
 * ({@code IORING_ENTER_EXT_ARG}, nanoseconds); an elapsed timeout ({@code ETIME}) returns normally with what is in
 * the ring, and so does a signal ({@code EINTR}), which ends the poll with no events as on EPOLL; completions of the
 * ring's own requests (failed updates and cancels, stale polls) make the poller wait again for the time left. {@code Poll.close} from another thread needs an internal eventfd poll to wake the
 * waiter (the ring is unmapped and its descriptor closed only once that thread has returned: tested).
 *
 * <h3>Measured (loopback, Linux 6.18, 2 shared cores)</h3>
 * Setup flags accepted: {@code CQSIZE | CLAMP | SUBMIT_ALL | COOP_TASKRUN | TASKRUN_FLAG | NO_SQARRAY}
 * ({@code SINGLE_ISSUER | DEFER_TASKRUN} too, as the opt-in {@code TaskRun.DEFERRED}); features 0x3ffff. An echo loop
 * written as above ({@code EchoLoop} in the tests: multishot accept and receive, sends straight from the received
 * buffer, one {@code submitAndWait} per pass) made 0.027 to 0.044 {@code io_uring_enter} per round trip at 64
 * connections x 64 B (its client, another ring in the same process, sends in bursts, so batching here is better than
 * with independent clients), and 1.5 to 1.8 at one connection (at most 2: the enter that submits the echo returns at
 * once with the send's completion); no other system call in the loop ({@code strace -f -c}). Submit and reap of NOP,
 * send, multishot poll and receive, one-shot poll and timed-out waits: 0 bytes allocated per operation once compiled.
 *
 * <p>Every class documents its thread-safety; in short, a ring and its flyweights belong to one thread at a time,
 * while {@code close}, {@code syncCancel} and {@code UringWaker.wake} are for any thread.
 */
package io.mio.internal.uring;
