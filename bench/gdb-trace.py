# Case (d): Debian's gdb, batch mode, tracing entries and returns through its Python API.
#   BENCH_TARGET=127.0.0.1:PORT BENCH_ENTRY=<hex slid entry_SYSCALL_64> BENCH_OUT=result.json \
#     gdb -q -nx -batch -x bench/gdb-trace.py
# A gdb.Breakpoint on entry_SYSCALL_64 whose stop() reads rax rdi rsi rdx r10 r8 r9 and rcx
# (the user return site) and returns False; one on each return site that reads rax and
# returns False. gdb does not let stop() add breakpoints, so the first call through a new
# return site returns True once and the loop below plants it (return sites are few: the
# syscall instructions of busybox's wrappers). Return breakpoints then stay planted.
# The marker writes, write(1, "BENCH START\n"|"BENCH END\n"), are recognised by reading
# their buffer, so the window's call count is exact.
import json
import os

import gdb

ENTRY = int(os.environ["BENCH_ENTRY"], 16)
TARGET = os.environ["BENCH_TARGET"]
OUT = os.environ["BENCH_OUT"]
MARKERS = {b"BENCH START\n": "start", b"BENCH END\n": "end"}
MASK = (1 << 64) - 1

st = {"stops": 0, "entries": 0, "returns": 0, "sites": 0, "marks": {}, "end": None}
sites = set()
to_plant = []


def reg(frame, name):
    return int(frame.read_register(name)) & MASK


class EntryBp(gdb.Breakpoint):
    def stop(self):
        st["stops"] += 1
        st["entries"] += 1
        f = gdb.selected_frame()
        nr = reg(f, "rax")
        args = [reg(f, r) for r in ("rdi", "rsi", "rdx", "r10", "r8", "r9")]
        if nr == 1 and args[0] == 1 and args[2] in (10, 12):
            try:
                text = bytes(gdb.selected_inferior().read_memory(args[1], args[2]))
            except gdb.MemoryError:
                text = b""
            if text in MARKERS:
                st["marks"][MARKERS[text]] = {"entries": st["entries"], "returns": st["returns"], "stops": st["stops"]}
        site = reg(f, "rcx")
        if site not in sites:
            sites.add(site)
            to_plant.append(site)
            return True
        return False


class ReturnBp(gdb.Breakpoint):
    def stop(self):
        st["stops"] += 1
        st["returns"] += 1
        reg(gdb.selected_frame(), "rax")
        return False


def main():
    gdb.execute("set pagination off")
    gdb.execute("set confirm off")
    gdb.execute("set architecture i386:x86-64")
    gdb.execute("target remote " + TARGET)
    EntryBp("*0x%x" % ENTRY)
    while True:
        try:
            gdb.execute("continue", to_string=True)
        except gdb.error as e:
            st["end"] = str(e)
            break
        if not to_plant:
            # A stop that was not ours (the guest exited: "[Inferior 1 ... exited]").
            if not gdb.selected_inferior().pid:
                st["end"] = "inferior exited"
                break
            continue
        while to_plant:
            ReturnBp("*0x%x" % to_plant.pop())
            st["sites"] += 1
    with open(OUT, "w") as fh:
        json.dump(st, fh)


try:
    main()
except Exception as e:  # leave a result either way
    st["error"] = repr(e)
    with open(OUT, "w") as fh:
        json.dump(st, fh)
