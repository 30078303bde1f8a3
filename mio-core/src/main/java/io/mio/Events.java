package io.mio;

import io.mio.internal.ReadySet;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/**
 * A reusable collection of the events one {@link Poll#poll} returns, at most {@link #capacity()} of them.
 *
 * <p>Create it once and pass it to every poll: polling, {@link #get(int)}, iteration and reading events
 * allocate nothing ({@link #iterator()} returns one iterator object per {@code Events}, reset on each call,
 * so for-each loops over it allocate nothing either; nested iteration over the same {@code Events} is not
 * supported, use indexed access for that). Events that did not fit come with the next poll.
 *
 * <p>Not thread-safe: use an {@code Events} from one thread at a time, normally the polling thread.
 */
public final class Events implements Iterable<Event> {
    /** The backend fills it: {@link Poll} hands it to the selector. */
    final ReadySet set;
    private final Event[] views;
    private final Cursor cursor = new Cursor();

    private Events(int capacity) {
        set = new ReadySet(capacity);
        views = new Event[capacity];
        for (int i = 0; i < capacity; i++) {
            views[i] = new Event(set, i);
        }
    }

    /**
     * Creates an {@code Events} that holds up to {@code capacity} events per poll.
     *
     * @throws IllegalArgumentException if {@code capacity} is not positive (a poll could never report anything)
     */
    public static Events withCapacity(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("Events capacity must be at least 1, was " + capacity);
        }
        return new Events(capacity);
    }

    /** How many events one poll can return. */
    public int capacity() {
        return views.length;
    }

    /** How many events the last poll returned. */
    public int size() {
        return set.size;
    }

    /** True if the last poll returned no events. */
    public boolean isEmpty() {
        return set.size == 0;
    }

    /** Forgets the events of the last poll (poll does this itself). */
    public void clear() {
        set.size = 0;
    }

    /**
     * The event at {@code index}.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= index < size()}
     */
    public Event get(int index) {
        if (index < 0 || index >= set.size) {
            throw new IndexOutOfBoundsException("event index " + index + " out of range for " + set.size + " events");
        }
        return views[index];
    }

    /** Calls {@code action} for each event, in order. */
    @Override
    public void forEach(Consumer<? super Event> action) {
        int n = set.size;
        for (int i = 0; i < n; i++) {
            action.accept(views[i]);
        }
    }

    /** This {@code Events}' one iterator, reset to the first event. See the class comment. */
    @Override
    public Iterator<Event> iterator() {
        cursor.next = 0;
        return cursor;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Events[");
        for (int i = 0; i < set.size; i++) {
            sb.append(i == 0 ? "" : ", ").append(views[i]);
        }
        return sb.append(']').toString();
    }

    private final class Cursor implements Iterator<Event> {
        int next;

        @Override
        public boolean hasNext() {
            return next < set.size;
        }

        @Override
        public Event next() {
            if (next >= set.size) {
                throw new NoSuchElementException();
            }
            return views[next++];
        }
    }
}
