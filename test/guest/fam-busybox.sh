#!/bin/sh
# fam-busybox: everyday busybox applets (ls, cat, wc, cp, mv, stat, find, ps, df, id...), for
# comparing systrace with strace on the calls real programs make beside the fam-*.c ones
# (test/integration/x86_64-strace.test.ts). Installed as /bin/fam-busybox.
ls -l /etc /bin/busybox
cat /etc/hostname | wc -c
echo hello > /tmp/bb.txt
cp /tmp/bb.txt /tmp/bb2.txt
mv /tmp/bb2.txt /tmp/bb3.txt
stat /tmp/bb3.txt
ln -s /tmp/bb.txt /tmp/bb.lnk
readlink /tmp/bb.lnk
rm -f /tmp/bb.txt /tmp/bb3.txt /tmp/bb.lnk
mkdir -p /tmp/bbdir/a/b
find /tmp/bbdir
rm -r /tmp/bbdir
uname -a
id
ps
df /
sleep 0
