package dev.switchboard.socketio;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.RandomAccess;

/**
 * A copy-on-write list for a socket's listeners, smaller than {@link java.util.concurrent.CopyOnWriteArrayList}
 * where it matters: one per listener kind per socket, mostly empty for the socket's whole life. An empty
 * list is this object only (the shared empty array, no lock object, no per-list empty array), 16 bytes
 * instead of 56 (heap per idle connection).
 *
 * <p>Threading: any thread. Writers serialize on {@code this}; readers take the volatile array once,
 * so an iteration sees one snapshot (as CopyOnWriteArrayList's iterator does). Only {@link #add} and
 * {@link #remove(Object)} mutate; the other mutators of {@link AbstractList} throw.
 */
final class CowList<E> extends AbstractList<E> implements RandomAccess {

    private static final Object[] EMPTY = new Object[0];

    private volatile Object[] items = EMPTY;

    @Override
    @SuppressWarnings("unchecked")
    public E get(int index) {
        return (E) items[index];
    }

    @Override
    public int size() {
        return items.length;
    }

    @Override
    public boolean isEmpty() {
        return items.length == 0;
    }

    @Override
    public synchronized boolean add(E e) {
        Object[] a = items;
        Object[] b = Arrays.copyOf(a, a.length + 1);
        b[a.length] = e;
        items = b;
        return true;
    }

    @Override
    public synchronized boolean remove(Object o) {
        Object[] a = items;
        for (int i = 0; i < a.length; i++) {
            if (o == null ? a[i] == null : o.equals(a[i])) {
                Object[] b = a.length == 1 ? EMPTY : new Object[a.length - 1];
                System.arraycopy(a, 0, b, 0, i);
                System.arraycopy(a, i + 1, b, i, a.length - i - 1);
                items = b;
                return true;
            }
        }
        return false;
    }

    /** Iterates over the snapshot taken when it was created. */
    @Override
    public Iterator<E> iterator() {
        Object[] snapshot = items;
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < snapshot.length;
            }

            @Override
            @SuppressWarnings("unchecked")
            public E next() {
                if (next >= snapshot.length) {
                    throw new java.util.NoSuchElementException();
                }
                return (E) snapshot[next++];
            }
        };
    }
}
