#!/bin/sh
# /bench/init of the benchmark guest (booted with rdinit=/bench/init; bench/run.mjs appends
# this file to the test guest's initramfs). The workload between the two markers is
# busybox dd, one read and one write per byte. The kernel passes bench_count=N from its
# command line to init's environment. /proc first: Debian's busybox runs applets through
# /proc/self/exe; devtmpfs for /dev/zero and /dev/null. dd's closing statistics go to
# /dev/null (the same write calls, but no ~100 characters for the emulated 16550 to drain
# at 115200 baud inside the window).
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs dev /dev
echo BENCH START
dd if=/dev/zero of=/dev/null bs=1 count="${bench_count:-1000}" 2>/dev/null
echo BENCH END
poweroff -f
