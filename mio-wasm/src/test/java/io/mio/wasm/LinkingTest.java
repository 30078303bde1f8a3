package io.mio.wasm;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** V1/V2 selection by the guest's import signature, through Chicory's linker. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class LinkingTest {

    static WasmModule module(String name) throws Exception {
        try (InputStream in = LinkingTest.class.getResourceAsStream("/guests/" + name + ".wasm")) {
            return Parser.parse(in.readAllBytes());
        }
    }

    static List<Integer> paramCounts(List<HostFunction> fns, String name) {
        return fns.stream().filter(f -> f.name().equals(name)).map(f -> f.functionType().params().size()).toList();
    }

    @Test
    void a_module_importing_sock_accept_with_two_params_gets_v1_only() throws Exception {
        try (WasiPreview1 wasi = WasiPreview1.builder().build();
                SocketHost host = new SocketHost(wasi, NetPolicy.denyAll())) {
            List<HostFunction> fns = host.hostFunctions(module("poll_server"));
            assertThat(paramCounts(fns, "sock_accept")).containsExactly(2);
            assertThat(paramCounts(fns, "sock_getlocaladdr")).containsExactly(4);
            assertThat(paramCounts(fns, "poll_oneoff")).containsExactly(4);
            assertThat(fns.stream().map(HostFunction::name).distinct().count()).as("no duplicate names otherwise")
                    .isEqualTo(fns.size());
        }
    }

    @Test
    void one_name_imported_with_two_types_links_both_versions() throws Exception {
        WasmModule module = module("link_v1_v2");
        try (WasiPreview1 wasi = WasiPreview1.builder().build();
                SocketHost host = new SocketHost(wasi, NetPolicy.allowAll())) {
            List<HostFunction> fns = host.hostFunctions(module);
            assertThat(paramCounts(fns, "sock_accept")).containsExactly(2, 3);
            assertThat(paramCounts(fns, "sock_getlocaladdr")).containsExactly(3);
            Instance inst = Instance.builder(module)
                    .withImportValues(ImportValues.builder().withFunctions(new ArrayList<ImportFunction>(fns)).build())
                    .withMemoryFactory(ByteArrayMemory::new).build();
            Memory m = inst.memory();
            assertThat(call(inst, "open", 1, 2, 0)).isZero();
            int lfd = m.readInt(0);
            m.write(1024, new byte[] {127, 0, 0, 1});
            m.writeI32(1008, 1024);
            m.writeI32(1012, 4);
            assertThat(call(inst, "bind", lfd, 1008, 0)).isZero();
            assertThat(call(inst, "listen", lfd, 8)).isZero();
            // sock_getlocaladdr imported with 3 params: V2 (128-byte storage, family at +0)
            m.writeI32(1008, 2048);
            m.writeI32(1012, 128);
            assertThat(call(inst, "local2", lfd, 1008, 1200)).isZero();
            assertThat(m.readShort(2048)).isEqualTo((short) 1);
            int port = m.readInt(1200);
            try (Socket a = SocketHostTest.connect(port); Socket b = SocketHostTest.connect(port)) {
                assertThat(call(inst, "accept1", lfd, 0)).isZero();
                int c1 = m.readInt(0);
                assertThat(call(inst, "accept2", lfd, 4, 0)).isZero();
                int c2 = m.readInt(0);
                assertThat(call(inst, "fdstat", c1, 256)).isZero();
                assertThat(m.readShort(258)).as("V1 accept: blocking").isZero();
                assertThat(call(inst, "fdstat", c2, 256)).isZero();
                assertThat(m.readShort(258)).as("V2 accept with NONBLOCK").isEqualTo((short) 4);
                assertThat(m.read(256)).isEqualTo((byte) 6);
                // explicit _v2 name and a 4-param V1 getpeeraddr
                assertThat(call(inst, "peer2", c1, 1008, 1200)).isZero();
                int p1 = m.readInt(1200);
                assertThat(p1).isIn(a.getLocalPort(), b.getLocalPort());
                m.writeI32(1012, 16);
                assertThat(call(inst, "peer1", c1, 1008, 1204, 1200)).isZero();
                assertThat(m.readInt(1204)).isEqualTo(4);
                assertThat(m.readInt(1200)).isEqualTo(p1);
                // fd_close of a socket, then of an unknown fd; fd_fdstat_get of stdout still goes to Chicory
                assertThat(call(inst, "close", c1)).isZero();
                assertThat(call(inst, "close", c1)).isEqualTo(WasiErrno.BADF);
                assertThat(call(inst, "fdstat", 1, 256)).isZero();
                assertThat(host.openSockets()).isEqualTo(2);
            }
        }
    }

    static long call(Instance inst, String name, long... args) {
        return (int) inst.export(name).apply(args)[0];
    }
}
