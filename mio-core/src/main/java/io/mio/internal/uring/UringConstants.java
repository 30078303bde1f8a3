package io.mio.internal.uring;

/**
 * io_uring ABI numbers from {@code linux/io_uring.h}, the same on x86-64 and aarch64 (the only architectures
 * this package runs on). Names follow the header so that they can be looked up there.
 */
public final class UringConstants {
    private UringConstants() {}

    // ---- system call numbers: 425..427 on x86-64 and in asm-generic (aarch64) alike ----------------------
    public static final int SYS_IO_URING_SETUP = 425;
    public static final int SYS_IO_URING_ENTER = 426;
    public static final int SYS_IO_URING_REGISTER = 427;

    // ---- io_uring_setup flags ------------------------------------------------------------------------------
    public static final int IORING_SETUP_IOPOLL = 1;
    public static final int IORING_SETUP_SQPOLL = 1 << 1;
    public static final int IORING_SETUP_CQSIZE = 1 << 3;
    public static final int IORING_SETUP_CLAMP = 1 << 4;
    public static final int IORING_SETUP_R_DISABLED = 1 << 6;
    public static final int IORING_SETUP_SUBMIT_ALL = 1 << 7;
    public static final int IORING_SETUP_COOP_TASKRUN = 1 << 8;
    public static final int IORING_SETUP_TASKRUN_FLAG = 1 << 9;
    public static final int IORING_SETUP_SINGLE_ISSUER = 1 << 12;
    public static final int IORING_SETUP_DEFER_TASKRUN = 1 << 13;
    public static final int IORING_SETUP_NO_SQARRAY = 1 << 16;

    // ---- io_uring_params.features ---------------------------------------------------------------------------
    public static final int IORING_FEAT_SINGLE_MMAP = 1;
    public static final int IORING_FEAT_NODROP = 1 << 1;
    public static final int IORING_FEAT_SUBMIT_STABLE = 1 << 2;
    public static final int IORING_FEAT_FAST_POLL = 1 << 5;
    public static final int IORING_FEAT_POLL_32BITS = 1 << 6;
    public static final int IORING_FEAT_EXT_ARG = 1 << 8;
    public static final int IORING_FEAT_NATIVE_WORKERS = 1 << 9;
    public static final int IORING_FEAT_CQE_SKIP = 1 << 11;

    // ---- io_uring_enter flags ---------------------------------------------------------------------------------
    public static final int IORING_ENTER_GETEVENTS = 1;
    public static final int IORING_ENTER_EXT_ARG = 1 << 3;

    // ---- sq_ring->flags -------------------------------------------------------------------------------------
    public static final int IORING_SQ_NEED_WAKEUP = 1;
    public static final int IORING_SQ_CQ_OVERFLOW = 1 << 1;
    public static final int IORING_SQ_TASKRUN = 1 << 2;

    // ---- mmap offsets -----------------------------------------------------------------------------------------
    public static final long IORING_OFF_SQ_RING = 0L;
    public static final long IORING_OFF_SQES = 0x10000000L;

    // ---- opcodes ----------------------------------------------------------------------------------------------
    public static final int IORING_OP_NOP = 0;
    public static final int IORING_OP_POLL_ADD = 6;
    public static final int IORING_OP_POLL_REMOVE = 7;
    public static final int IORING_OP_TIMEOUT = 11;
    public static final int IORING_OP_ACCEPT = 13;
    public static final int IORING_OP_ASYNC_CANCEL = 14;
    public static final int IORING_OP_READ = 22;
    public static final int IORING_OP_SEND = 26;
    public static final int IORING_OP_RECV = 27;
    public static final int IORING_OP_MSG_RING = 40;
    /** Added in Linux 6.0 together with multishot receive: its presence is how this layer tells a 6.0 kernel. */
    public static final int IORING_OP_SEND_ZC = 47;
    /** send(2)'s flag: io_uring retries a short send on a stream socket until every byte is sent or it fails. */
    public static final int MSG_WAITALL = 0x100;

    // ---- sqe->flags -------------------------------------------------------------------------------------------
    public static final int IOSQE_FIXED_FILE = 1;
    public static final int IOSQE_IO_LINK = 1 << 2;
    public static final int IOSQE_ASYNC = 1 << 4;
    public static final int IOSQE_BUFFER_SELECT = 1 << 5;
    public static final int IOSQE_CQE_SKIP_SUCCESS = 1 << 6;

    // ---- POLL_ADD flags (in sqe->len) ---------------------------------------------------------------------------
    public static final int IORING_POLL_ADD_MULTI = 1;
    public static final int IORING_POLL_UPDATE_EVENTS = 1 << 1;
    public static final int IORING_POLL_UPDATE_USER_DATA = 1 << 2;
    public static final int IORING_POLL_ADD_LEVEL = 1 << 3;

    // ---- ASYNC_CANCEL flags (sqe->cancel_flags) ---------------------------------------------------------------------
    public static final int IORING_ASYNC_CANCEL_ALL = 1;
    public static final int IORING_ASYNC_CANCEL_FD = 1 << 1;
    public static final int IORING_ASYNC_CANCEL_ANY = 1 << 2;

    // ---- send/recv flags (sqe->ioprio) ------------------------------------------------------------------------------
    public static final int IORING_RECVSEND_POLL_FIRST = 1;
    public static final int IORING_RECV_MULTISHOT = 1 << 1;

    // ---- accept flags (sqe->ioprio) -----------------------------------------------------------------------------------
    public static final int IORING_ACCEPT_MULTISHOT = 1;

    // ---- MSG_RING -------------------------------------------------------------------------------------------------------
    public static final int IORING_MSG_DATA = 0;

    // ---- cqe->flags ---------------------------------------------------------------------------------------------------
    public static final int IORING_CQE_F_BUFFER = 1;
    public static final int IORING_CQE_F_MORE = 1 << 1;
    public static final int IORING_CQE_F_SOCK_NONEMPTY = 1 << 2;
    public static final int IORING_CQE_BUFFER_SHIFT = 16;

    // ---- io_uring_register opcodes --------------------------------------------------------------------------------------
    public static final int IORING_REGISTER_PROBE = 8;
    public static final int IORING_REGISTER_PBUF_RING = 22;
    public static final int IORING_UNREGISTER_PBUF_RING = 23;
    public static final int IORING_REGISTER_SYNC_CANCEL = 24;

    public static final int IO_URING_OP_SUPPORTED = 1;

    // ---- poll(2) event bits, as multishot poll reports them in cqe->res -------------------------------------------------
    public static final int POLLIN = 0x1;
    public static final int POLLPRI = 0x2;
    /** Priority band data readable; armed beside {@link #POLLPRI} so urgent data wakes the poll. */
    public static final int POLLRDBAND = 0x80;
    public static final int POLLOUT = 0x4;
    public static final int POLLERR = 0x8;
    public static final int POLLHUP = 0x10;
    public static final int POLLRDHUP = 0x2000;

    // ---- errno values io_uring reports that io.mio.internal.linux.LinuxConstants does not name -------------------------
    public static final int EBUSY = 16;
    public static final int ENOSYS = 38;
    public static final int ETIME = 62;
    public static final int EBADR = 53;
    public static final int EBADFD = 77;
    public static final int ECANCELED = 125;

    /** The header's name of a setup flag bit, for messages. */
    static String setupFlagName(int bit) {
        return switch (bit) {
            case IORING_SETUP_IOPOLL -> "IOPOLL";
            case IORING_SETUP_SQPOLL -> "SQPOLL";
            case IORING_SETUP_CQSIZE -> "CQSIZE";
            case IORING_SETUP_CLAMP -> "CLAMP";
            case IORING_SETUP_R_DISABLED -> "R_DISABLED";
            case IORING_SETUP_SUBMIT_ALL -> "SUBMIT_ALL";
            case IORING_SETUP_COOP_TASKRUN -> "COOP_TASKRUN";
            case IORING_SETUP_TASKRUN_FLAG -> "TASKRUN_FLAG";
            case IORING_SETUP_SINGLE_ISSUER -> "SINGLE_ISSUER";
            case IORING_SETUP_DEFER_TASKRUN -> "DEFER_TASKRUN";
            case IORING_SETUP_NO_SQARRAY -> "NO_SQARRAY";
            default -> "1<<" + Integer.numberOfTrailingZeros(bit);
        };
    }

    /** The header's name of a feature bit, for messages. */
    static String featureName(int bit) {
        return switch (bit) {
            case IORING_FEAT_SINGLE_MMAP -> "SINGLE_MMAP";
            case IORING_FEAT_NODROP -> "NODROP";
            case IORING_FEAT_SUBMIT_STABLE -> "SUBMIT_STABLE";
            case IORING_FEAT_FAST_POLL -> "FAST_POLL";
            case IORING_FEAT_POLL_32BITS -> "POLL_32BITS";
            case IORING_FEAT_EXT_ARG -> "EXT_ARG";
            case IORING_FEAT_NATIVE_WORKERS -> "NATIVE_WORKERS";
            case IORING_FEAT_CQE_SKIP -> "CQE_SKIP";
            default -> "1<<" + Integer.numberOfTrailingZeros(bit);
        };
    }

    /** The header's name of an opcode, for messages. */
    static String opName(int op) {
        return switch (op) {
            case IORING_OP_NOP -> "IORING_OP_NOP";
            case IORING_OP_POLL_ADD -> "IORING_OP_POLL_ADD";
            case IORING_OP_POLL_REMOVE -> "IORING_OP_POLL_REMOVE";
            case IORING_OP_ACCEPT -> "IORING_OP_ACCEPT";
            case IORING_OP_ASYNC_CANCEL -> "IORING_OP_ASYNC_CANCEL";
            case IORING_OP_READ -> "IORING_OP_READ";
            case IORING_OP_SEND -> "IORING_OP_SEND";
            case IORING_OP_RECV -> "IORING_OP_RECV";
            case IORING_OP_MSG_RING -> "IORING_OP_MSG_RING";
            case IORING_OP_SEND_ZC -> "IORING_OP_SEND_ZC (Linux 6.0, with multishot receive)";
            default -> "opcode " + op;
        };
    }

    /** Names every set bit of {@code flags} with {@code namer}, joined by {@code |}; "0" for none. */
    static String names(int flags, java.util.function.IntFunction<String> namer) {
        if (flags == 0) {
            return "0";
        }
        StringBuilder sb = new StringBuilder();
        for (int rest = flags; rest != 0; rest &= rest - 1) {
            if (!sb.isEmpty()) {
                sb.append('|');
            }
            sb.append(namer.apply(Integer.lowestOneBit(rest)));
        }
        return sb.toString();
    }
}
