/**
 * The {@code java.nio.channels} exceptions io.mio's public API throws, which TeaVM 0.13.1's class library
 * lacks; renamed to {@code java.nio.channels.*} in the wasm build by TeaVM's class-library substitution.
 */
package org.teavm.classlib.java.nio.channels;
