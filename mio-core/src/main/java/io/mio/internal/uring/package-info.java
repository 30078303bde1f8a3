/**
 * The io_uring layer under a future {@code URING} backend (issue 13): {@link io.mio.internal.uring.Uring} (setup,
 * mapped rings, submit and wait), the {@link io.mio.internal.uring.Sqe} flyweight, the
 * {@link io.mio.internal.uring.Cqe} cursor, {@link io.mio.internal.uring.BufferRing} (provided buffers),
 * {@link io.mio.internal.uring.UringWaker}, and {@link io.mio.internal.uring.UringUnavailableException} naming why
 * io_uring cannot be used. Raw system calls over FFM, no liburing; nothing allocated per entry, submit or completion.
 * No public class uses it yet.
 *
 * <h2>Proposal: mio's readiness model on the ring</h2>
 * Facts marked (tested) are checked by this package's tests on Linux 6.18.
 *
 * <h3>Readiness: one multishot poll per registration</h3>
 * {@code register} submits {@code POLL_ADD} with {@code IORING_POLL_ADD_MULTI}. Multishot poll is edge-triggered
 * (a completion per wake-up that finds the events ready, none while nothing new happens: tested), which is mio's
 * model; {@code res} holds the same bits as an {@code epoll_event}, so the epoll backend's mapping to readiness
 * applies unchanged. The user data is a slot and a generation, as the epoll backend's {@code epoll_data}: a completion
 * that races a deregister is dropped, never reported under a reused slot. {@code reregister} is a poll update
 * ({@code IORING_POLL_UPDATE_EVENTS | USER_DATA}), which like {@code EPOLL_CTL_MOD} reports at once what is already
 * ready, under the new token (tested). Any poll completion without {@code IORING_CQE_F_MORE} means the kernel ended
 * the request: report its {@code res} if not negative, and arm again. This is not only cancellation: when the CQ ring
 * is full the kernel ends multishot requests rather than queue their completions (FEAT_NODROP keeps completions, not
 * arming: 24 of 32 polls ended when 32 sockets became ready into a CQ ring of 8, tested); a source that is not
 * re-armed goes deaf.
 *
 * <h3>Registry calls from any thread; the deregister guarantee; close</h3>
 * The ring is set up {@code COOP_TASKRUN}, not {@code SINGLE_ISSUER | DEFER_TASKRUN}: a single-issuer ring refuses
 * every thread but its creator with EEXIST (tested), and a {@code Poll} may be used from any thread, a virtual thread
 * from any carrier. Register and reregister from another thread take a lock around the submission ring and submit at
 * once (one {@code io_uring_enter}); a completion they cause wakes a poller already waiting, so a registration made
 * during a blocked poll is reported by it. Deregister uses {@link io.mio.internal.uring.Uring#syncCancel}
 * ({@code IORING_REGISTER_SYNC_CANCEL}): it returns once the request has ended, from any thread, also while the owner
 * waits (tested); with the generation check, no event for the source follows. Closing a source must cancel first: a
 * request holds a reference to the open file, so {@code close(2)} alone leaves the poll armed and reporting, and the
 * socket open (no FIN to the peer) until the poll is cancelled (tested). The cancel is by user data (by descriptor only
 * while the number is still ours), from {@code FileDesc}'s last release, before {@code close(2)}. Polls and receives
 * are cancelled; queued sends are left to finish, as mio's Windows named pipes do on drop, and the socket closes
 * (FIN after the data) when the last one completes.
 *
 * <h3>Reads from memory the kernel filled</h3>
 * A readable registration arms a multishot {@code RECV} into the Poll's {@link io.mio.internal.uring.BufferRing}
 * instead of polling for {@code POLLIN} (both would compete for the data). Each completion names a buffer
 * ({@code flags >>> 16}); the poller queues it on its source and reports READABLE when the queue was empty. {@code read}
 * copies from the queued buffers without a system call, recycles each emptied buffer, returns would-block when the
 * queue is empty while the receive is armed, end of stream at a queued {@code res == 0} (which ends the receive:
 * tested), and throws at a queued error. Exhaustion ends the receive with {@code -ENOBUFS}; the bytes stay in the
 * socket (tested): the source reports READABLE, {@code read} falls back to {@code recv(2)} until would-block, and the
 * receive is armed again once buffers are back. Memory is per Poll, not per connection: the ring's entries times its
 * buffer size (for example 4096 x 4 KiB = 16 MiB), whatever the number of connections; an idle connection holds no
 * buffer. Priority (OOB) keeps a {@code POLLPRI} poll; writable interest keeps a {@code POLLOUT} poll.
 *
 * <h3>Writes queued as entries, and when they fail</h3>
 * {@code write} copies into the source's send buffer (bounded), prepares a {@code SEND} ({@code MSG_NOSIGNAL}) and
 * returns the count; nothing enters the kernel until the next {@code poll} submits everything at once. With the buffer
 * full it returns would-block, and WRITABLE is reported when a send completion frees space. One send in flight per
 * source keeps the bytes in order; a completion short of the length (a send larger than the socket's free space
 * completes partially; a send into a full socket waits in the kernel until the peer reads: tested) is followed by a
 * send of the rest. A send that fails ({@code -EPIPE}, {@code -ECONNRESET} in its completion: tested, no SIGPIPE)
 * surfaces at the poll that reaps it, as an event with ERROR and WRITE_CLOSED, and as the exception of the next
 * {@code write}; bytes queued behind it are dropped. That is mio's emulation on Windows named pipes
 * ({@code src/sys/windows/named_pipe.rs}: {@code write} copies into an owned buffer, starts the overlapped write and
 * returns the length; while it is pending, would-block; its error is stored and returned by the next {@code write}),
 * with a bounded buffer instead of one write at a time. It differs from epoll, where {@code write} itself fails: the
 * README's "How it behaves" must say so, and that a returned {@code write} does not mean sent.
 *
 * <h3>Waker, timeouts, signals, Poll.close</h3>
 * The Waker is {@link io.mio.internal.uring.UringWaker}: an eventfd with a multishot poll, written and never read on
 * the hot path; wakes coalesce into at least one completion and a wake after reaping gives a new one (tested); re-armed
 * when its completion lacks F_MORE. {@code IORING_OP_MSG_RING} also works (tested) but needs a ring of the waking
 * thread; it suits loops waking each other (one ring per loop). Timeouts go to the kernel as a timespec
 * ({@code IORING_ENTER_EXT_ARG}, nanoseconds); an elapsed timeout ({@code ETIME}) and a signal ({@code EINTR}) return
 * normally with what is in the ring. {@code Poll.close} from another thread needs an internal eventfd poll to wake the
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
