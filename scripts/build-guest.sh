#!/usr/bin/env bash
# Builds the bundled x86_64 test guest (or another arch's, below) from Debian 12 packages only
# (see test/guest/README.md).
#
#   scripts/build-guest.sh            build what is missing or stale, then print the paths
#   scripts/build-guest.sh ARCH       the same for ARCH: x86_64 (the default), i386, armhf,
#                                     arm64 or mipsel; outputs in .cache/guest/ARCH/
#
# Outputs, in .cache/guest/x86_64/ (git-ignored):
#   vmlinuz, kernel-version   from linux-image-<abi>-amd64, resolved through linux-image-amd64
#                             (other arches: the image QEMU's -kernel takes, from the arch's
#                             metapackage, see the ARCH table below)
#   initrd.gz                 newc cpio + gzip: busybox-static, /init, /bin/systest, /etc/hostname
#                             (x86_64 also /bin/systest32, the i686 build of systest.c)
#   kallsyms                  /proc/kallsyms of one boot of this kernel (KASLR on, so add the slide)
#   qemu-args                 qemu-system-x86_64 arguments, one a line, without -gdb/-S
#   manifest                  Debian packages and versions the files came from, and timings
#   systest, boot.log         the test binary as built, and the output of the check boot
#
# Each step is skipped when its output is present and current; a run with nothing to do
# only reads a few small files. The initramfs is rebuilt when test/guest/*.c, test/guest/init
# or this script change (their SHA-256 is kept in initrd.hash). Delete the directory to
# start again (e.g. to move to a newer kernel ABI).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC=$ROOT/test/guest
ARCH=${1:-x86_64}
# Per arch: Debian architecture, kernel metapackage and flavour, QEMU and its package and
# board, console, C compiler and its packages, where kallsyms goes (a second UART, or the
# console on boards with a single one), and text symbols the kallsyms dump must contain.
# Measured recipes: ../shared/notes/qemu-guests.md.
MACHINE_ARGS=() CFLAGS_ARCH=() SMP=2 SYMS_TO=ttyS1 ADDR_HEX=8
# A 32-bit build of systest for the same guest (x86_64: /bin/systest32, systest.mode=test32,
# 32-bit programs on the 64-bit kernel), with its compiler and libc packages.
CC32= CC32_PKG= CC32_LIBC_PKG= CC32_LIBC_A=
case $ARCH in
x86_64)
	DEBARCH=amd64 KMETA=linux-image-amd64 KFLAVOUR=amd64
	QEMU=qemu-system-x86_64 QEMU_PKG=qemu-system-x86 CONSOLE=ttyS0 ADDR_HEX=16
	CC=gcc CC_PKG=gcc CROSS_LIBC_PKG=libc6-dev CROSS_LIBC_A=/usr/lib/x86_64-linux-gnu/libc.a
	ENTRY_SYMS=(entry_SYSCALL_64 asm_exc_divide_error begin_new_exec do_int80_emulation do_fast_syscall_32)
	CC32=i686-linux-gnu-gcc CC32_PKG=gcc-i686-linux-gnu
	CC32_LIBC_PKG=libc6-dev-i386-cross CC32_LIBC_A=/usr/i686-linux-gnu/lib/libc.a
	;;
i386)
	# qemu32 CPU (Intel vendor): the vDSO's __kernel_vsyscall uses sysenter.
	DEBARCH=i386 KMETA=linux-image-686:i386 KFLAVOUR=686
	QEMU=qemu-system-i386 QEMU_PKG=qemu-system-x86 CONSOLE=ttyS0
	CC=i686-linux-gnu-gcc CC_PKG=gcc-i686-linux-gnu
	CROSS_LIBC_PKG=libc6-dev-i386-cross CROSS_LIBC_A=/usr/i686-linux-gnu/lib/libc.a
	ENTRY_SYMS=(entry_SYSENTER_32 entry_INT80_32 begin_new_exec)
	;;
armhf)
	# The non-LPAE armmp kernel needs highmem=off; cortex-a15 enters through
	# vector_bhb_loop8_swi (HARDEN_BRANCH_HISTORY). One PL011: kallsyms on the console.
	DEBARCH=armhf KMETA=linux-image-armmp:armhf KFLAVOUR=armmp
	QEMU=qemu-system-arm QEMU_PKG=qemu-system-arm CONSOLE=ttyAMA0 SYMS_TO=console
	MACHINE_ARGS=(-M virt,highmem=off -cpu cortex-a15)
	CC=arm-linux-gnueabihf-gcc CC_PKG=gcc-arm-linux-gnueabihf CFLAGS_ARCH=(-mthumb)
	CROSS_LIBC_PKG=libc6-dev-armhf-cross CROSS_LIBC_A=/usr/arm-linux-gnueabihf/lib/libc.a
	ENTRY_SYMS=(vector_swi vector_bhb_loop8_swi vector_bhb_bpiall_swi begin_new_exec)
	;;
arm64)
	DEBARCH=arm64 KMETA=linux-image-arm64:arm64 KFLAVOUR=arm64
	QEMU=qemu-system-aarch64 QEMU_PKG=qemu-system-arm CONSOLE=ttyAMA0 SYMS_TO=console ADDR_HEX=16
	MACHINE_ARGS=(-M virt -cpu cortex-a57)
	CC=aarch64-linux-gnu-gcc CC_PKG=gcc-aarch64-linux-gnu
	CROSS_LIBC_PKG=libc6-dev-arm64-cross CROSS_LIBC_A=/usr/aarch64-linux-gnu/lib/libc.a
	ENTRY_SYMS=(el0t_64_sync el0_svc invoke_syscall begin_new_exec)
	;;
mipsel)
	# vmlinuz is an ELF; Malta's two ISA 16550s are ttyS0 and ttyS1. One vCPU: with -smp 2
	# the default 24Kf board prints nothing at all (hangs), and -cpu 34Kf brings CPU1 up as
	# an MT VPE but then stalls 20 s (RCU: CPU0's timer interrupts lost in r4k_wait).
	DEBARCH=mipsel KMETA=linux-image-4kc-malta:mipsel KFLAVOUR=4kc-malta
	QEMU=qemu-system-mipsel QEMU_PKG=qemu-system-mips CONSOLE=ttyS0 SMP=1
	MACHINE_ARGS=(-M malta)
	CC=mipsel-linux-gnu-gcc CC_PKG=gcc-mipsel-linux-gnu
	CROSS_LIBC_PKG=libc6-dev-mipsel-cross CROSS_LIBC_A=/usr/mipsel-linux-gnu/lib/libc.a
	ENTRY_SYMS=(handle_sys begin_new_exec)
	;;
*)
	echo "usage: $0 [x86_64|i386|armhf|arm64|mipsel]" >&2
	exit 2
	;;
esac
OUT=$ROOT/.cache/guest/$ARCH
BOOT_TIMEOUT=${BOOT_TIMEOUT:-600} # seconds, for each check boot under TCG

log() { printf 'build-guest: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

SUDO=()
[[ $EUID -eq 0 ]] || SUDO=(sudo)

mkdir -p "$OUT"

# ---- host packages -----------------------------------------------------------------

apt_updated=0
apt_update() {
	[[ $apt_updated -eq 0 ]] || return 0
	apt_updated=1
	log "apt-get update"
	# A foreign-architecture or security index can be mid-sync ("Mirror sync in
	# progress") and make update fail although main has all we need: warn, go on, and
	# let the installability checks below decide.
	if ! "${SUDO[@]}" apt-get update -q >&2; then
		log "warning: apt-get update failed; continuing with the package lists as they are"
	fi
}

# Dies unless every package named has an install candidate.
check_installable() {
	local p cand
	for p in "$@"; do
		cand=$(apt-cache policy "$p" 2>/dev/null | sed -n 's/^ *Candidate: //p')
		[[ -n $cand && $cand != "(none)" ]] || die "package $p is not installable (no candidate; apt sources?)"
	done
}

ensure_host_tools() {
	local need=()
	if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
		die "needs a Debian host (apt-get, dpkg-deb)"
	fi
	command -v "$QEMU" >/dev/null || need+=("$QEMU_PKG")
	command -v gcc >/dev/null || need+=(gcc)
	[[ -e /usr/lib/x86_64-linux-gnu/libc.a ]] || need+=(libc6-dev) # only a Recommends of gcc
	# Another arch: its cross compiler, and its libc (also only a Recommends).
	command -v "$CC" >/dev/null || need+=("$CC_PKG")
	[[ -e $CROSS_LIBC_A ]] || need+=("$CROSS_LIBC_PKG")
	if [[ -n $CC32 ]]; then
		command -v "$CC32" >/dev/null || need+=("$CC32_PKG")
		[[ -e $CC32_LIBC_A ]] || need+=("$CC32_LIBC_PKG")
	fi
	command -v cpio >/dev/null || need+=(cpio)
	command -v gzip >/dev/null || need+=(gzip)
	command -v timeout >/dev/null || need+=(coreutils)
	command -v xz >/dev/null || need+=(xz-utils)     # scripts/kernel-btf.sh: the bzImage payload
	command -v objcopy >/dev/null || need+=(binutils) # scripts/kernel-btf.sh: the .BTF section
	[[ ${#need[@]} -gt 0 ]] || return 0
	log "installing ${need[*]}"
	apt_update
	check_installable "${need[@]}"
	"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >&2
}

# apt-get download into $OUT/debs; with stale lists the pool file may be gone (404), so
# update once and retry. Prints the path of the .deb.
download_deb() {
	local pkg=$1 dir=$OUT/debs
	mkdir -p "$dir"
	rm -f "$dir/${pkg%%:*}"_*.deb
	# As root, APT drops to user _apt for downloads, which cannot write here.
	if ! (cd "$dir" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2); then
		apt_update
		(cd "$dir" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2) || die "apt-get download $pkg failed"
	fi
	local debs=("$dir/${pkg%%:*}"_*.deb)
	[[ -f ${debs[0]} ]] || die "apt-get download $pkg left no .deb in $dir"
	echo "${debs[0]}"
}

deb_field() { dpkg-deb -f "$1" "$2"; }

# Another arch's packages are only downloaded, never installed, but apt needs the arch
# in dpkg's list (and fresh package lists) to resolve and fetch them.
ensure_foreign_arch() {
	[[ $DEBARCH != "$(dpkg --print-architecture)" ]] || return 0
	# (grep without -q reads all: no SIGPIPE for dpkg under pipefail.)
	dpkg --print-foreign-architectures | grep -x "$DEBARCH" >/dev/null && return 0
	log "dpkg --add-architecture $DEBARCH"
	"${SUDO[@]}" dpkg --add-architecture "$DEBARCH"
	apt_updated=0
	apt_update
}

# pkg[:arch] as apt-get download wants it: the arch qualifier for another arch.
arch_qualified() {
	local p=${1%%:*}
	if [[ $DEBARCH == "$(dpkg --print-architecture)" ]]; then echo "$p"; else echo "$p:$DEBARCH"; fi
}

# ---- kernel ------------------------------------------------------------------------

# The metapackage's dependency, e.g. linux-image-6.1.0-56-amd64 (awk reads all its input:
# no SIGPIPE for apt-cache under pipefail). Another arch's gets its :arch qualifier.
kernel_package() {
	local p
	p=$(apt-cache depends "$KMETA" 2>/dev/null |
		awk -v f="$KFLAVOUR" '$1 == "Depends:" { sub(/:[a-z0-9]+$/, "", $2) }
			$1 == "Depends:" && $2 ~ ("^linux-image-[0-9].*-" f "$") && !p { print $2; p = 1 }')
	[[ -n $p ]] && arch_qualified "$p"
}

build_kernel() {
	[[ -s $OUT/vmlinuz && -s $OUT/kernel-version && -s $OUT/kernel-package ]] && return 0
	local pkg deb ver tmp
	ensure_host_tools
	ensure_foreign_arch
	pkg=$(kernel_package) || true
	if [[ -z $pkg ]]; then
		apt_update
		pkg=$(kernel_package) || true
	fi
	[[ -n $pkg ]] || die "cannot resolve $KMETA to a kernel package"
	check_installable "$pkg"
	log "downloading $pkg"
	deb=$(download_deb "$pkg")
	ver=$(deb_field "$deb" Version)
	tmp=$(mktemp -d "$OUT/kernel.XXXXXX")
	# Only ./boot/vmlinuz-*: the rest of the .deb is modules, and its System.map is a stub.
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards './boot/vmlinuz-*'
	set -- "$tmp"/boot/vmlinuz-*
	[[ $# -eq 1 && -s $1 ]] || die "no single ./boot/vmlinuz-* in $deb"
	mv "$1" "$OUT/vmlinuz"
	echo "${1##*/vmlinuz-}" >"$OUT/kernel-version"
	echo "$pkg $ver" >"$OUT/kernel-package"
	rm -rf "$tmp" "$deb" # 70 MB of modules we do not use
	rm -f "$OUT/kallsyms" # belongs to the old kernel, if any
	log "kernel $(cat "$OUT/kernel-version") from $pkg $ver"
}

# ---- busybox -----------------------------------------------------------------------

build_busybox() {
	[[ -x $OUT/busybox && -s $OUT/busybox-package ]] && return 0
	local deb tmp
	ensure_host_tools
	ensure_foreign_arch
	log "downloading busybox-static"
	deb=$(download_deb "busybox-static:$DEBARCH")
	tmp=$(mktemp -d "$OUT/busybox.XXXXXX")
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" ./bin/busybox
	mv "$tmp/bin/busybox" "$OUT/busybox"
	echo "busybox-static $(deb_field "$deb" Version)" >"$OUT/busybox-package"
	rm -rf "$tmp" "$deb"
}

# The applet names, one a line. Another arch's busybox cannot run here: there the names
# are read from the binary, where busybox keeps them as one sorted NUL-separated list
# ("[", "[[", "acpid", ...) ended by an empty name (applet_names in libbb/appletlib.c).
busybox_applets() {
	if [[ $ARCH == x86_64 ]]; then
		"$OUT/busybox" --list
		return
	fi
	local off
	# (Every reader reads its input to the end: no SIGPIPE under pipefail.)
	off=$(LC_ALL=C grep -obUaP '\[\x00\[\[\x00acpid\x00' "$OUT/busybox" | awk -F: 'NR == 1 { print $1 }')
	[[ -n $off ]] || die "no applet name list in $OUT/busybox"
	tail -c +$((off + 1)) "$OUT/busybox" | tr '\0' '\n' | awk '$0 == "" { end = 1 } !end { print }'
}

# ---- initramfs ---------------------------------------------------------------------

inputs_hash() {
	cat "$SRC"/*.c "$SRC/init" "${BASH_SOURCE[0]}" "$OUT/busybox-package" | sha256sum | cut -d' ' -f1
}

build_initrd() {
	local hash stage
	hash=$(inputs_hash)
	[[ -s $OUT/initrd.gz && -s $OUT/initrd.hash && $(<"$OUT/initrd.hash") == "$hash" ]] && return 0
	ensure_host_tools
	log "compiling test/guest/systest.c"
	"$CC" -O1 -static -pthread -Wall -Wextra -Werror "${CFLAGS_ARCH[@]}" -o "$OUT/systest" "$SRC/systest.c"
	log "compiling test/guest/threads.c (systest.mode=threads)"
	"$CC" -O1 -static -pthread -Wall -Wextra -Werror "${CFLAGS_ARCH[@]}" -o "$OUT/threads" "$SRC/threads.c"
	if [[ -n $CC32 ]]; then
		log "compiling test/guest/systest.c with $CC32 (systest.mode=test32)"
		"$CC32" -O1 -static -pthread -Wall -Wextra -Werror -o "$OUT/systest32" "$SRC/systest.c"
	fi
	stage=$(mktemp -d "$OUT/initrd.XXXXXX")
	mkdir -p "$stage"/{bin,dev,etc,proc,sys,tmp}
	chmod 1777 "$stage/tmp"
	install -m 0755 "$OUT/busybox" "$stage/bin/busybox"
	# Links made here rather than `busybox --install` at boot, which would cost the tracer
	# several hundred syscalls. All applets go to /bin (ash finds applets itself anyway).
	local a applets
	applets=$(busybox_applets)
	for a in sh mount cat poweroff; do
		grep -qx "$a" <<<"$applets" || die "busybox has no applet $a (applet list: $(wc -l <<<"$applets") names)"
	done
	for a in $applets; do
		[[ $a == busybox ]] || ln -s busybox "$stage/bin/$a"
	done
	install -m 0755 "$OUT/systest" "$stage/bin/systest"
	install -m 0755 "$OUT/threads" "$stage/bin/threads"
	[[ -z $CC32 ]] || install -m 0755 "$OUT/systest32" "$stage/bin/systest32"
	install -m 0755 "$SRC/init" "$stage/init"
	printf 'systrace-guest\n' >"$stage/etc/hostname"
	# Fixed owner and mtimes, sorted names: the same inputs give the same archive.
	# No /dev/console node is needed for init's stdio: the kernel unpacks its built-in
	# initramfs (usr/default_cpio_list: /dev, /dev/console, /root) before this one.
	find "$stage" -exec touch -h -d @0 {} +
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet) |
		gzip -9 -n >"$OUT/initrd.gz.tmp"
	mv "$OUT/initrd.gz.tmp" "$OUT/initrd.gz"
	rm -rf "$stage"
	echo "$hash" >"$OUT/initrd.hash"
	log "initramfs $(stat -c %s "$OUT/initrd.gz") bytes"
}

# ---- strace overlay (systest.mode=strace) -------------------------------------------

# A second initramfs, initrd-strace.gz: initrd.gz followed by a cpio with Debian's strace
# (amd64, with the libraries it NEEDs: libunwind8, liblzma5, libc6) and the family test
# programs test/guest/fam-*.c and scripts fam-*.sh. The kernel unpacks concatenated archives in order, so the
# default initrd.gz stays as it is. Used by test/integration/x86_64-strace.test.ts.
STRACE_PKGS=(strace:amd64 libunwind8:amd64 liblzma5:amd64 libc6:amd64)

strace_inputs_hash() {
	{ cat "$SRC"/fam-*.c "$SRC"/fam-*.sh "${BASH_SOURCE[0]}" "$OUT/initrd.hash"; cat "$OUT/strace-packages" 2>/dev/null; } | sha256sum | cut -d' ' -f1
}

build_strace_overlay() {
	local tree=$OUT/strace-overlay pkg deb tmp
	if [[ ! -x $tree/usr/bin/strace || ! -s $OUT/strace-packages ]]; then
		ensure_host_tools
		tmp=$(mktemp -d "$OUT/strace.XXXXXX")
		: >"$OUT/strace-packages.tmp"
		for pkg in "${STRACE_PKGS[@]}"; do
			log "downloading $pkg"
			deb=$(download_deb "$pkg")
			dpkg-deb -x "$deb" "$tmp/x"
			echo "${pkg%%:*} $(deb_field "$deb" Version)" >>"$OUT/strace-packages.tmp"
			rm -f "$deb"
		done
		rm -rf "$tree"
		mkdir -p "$tree/usr/bin" "$tree/lib64" "$tree/lib/x86_64-linux-gnu"
		cp -L "$tmp/x/usr/bin/strace" "$tree/usr/bin/strace"
		# lib64/ld-linux-x86-64.so.2 is an absolute symlink: take its target from the tree.
		cp -L "$tmp/x/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" "$tree/lib64/ld-linux-x86-64.so.2"
		local lib f
		for lib in libc.so.6 libunwind-ptrace.so.0 libunwind-x86_64.so.8 libunwind.so.8 liblzma.so.5; do
			f=$(find "$tmp/x" -name "$lib" | head -n 1)
			[[ -n $f ]] || die "no $lib in ${STRACE_PKGS[*]}"
			cp -L "$f" "$tree/lib/x86_64-linux-gnu/$lib"
		done
		rm -rf "$tmp"
		mv "$OUT/strace-packages.tmp" "$OUT/strace-packages"
	fi
	local hash
	hash=$(strace_inputs_hash)
	[[ -s $OUT/initrd-strace.gz && -s $OUT/initrd-strace.hash && $(<"$OUT/initrd-strace.hash") == "$hash" ]] && return 0
	local stage f name
	stage=$(mktemp -d "$OUT/initrd-strace.XXXXXX")
	cp -a "$tree/." "$stage/"
	mkdir -p "$stage/bin"
	for f in "$SRC"/fam-*.c; do
		name=$(basename "$f" .c)
		log "compiling test/guest/$name.c"
		gcc -O1 -static -pthread -Wall -Wextra -Werror -o "$stage/bin/$name" "$f"
	done
	for f in "$SRC"/fam-*.sh; do
		install -m 0755 "$f" "$stage/bin/$(basename "$f" .sh)"
	done
	find "$stage" -exec touch -h -d @0 {} +
	{
		cat "$OUT/initrd.gz"
		(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet) | gzip -9 -n
	} >"$OUT/initrd-strace.gz.tmp"
	mv "$OUT/initrd-strace.gz.tmp" "$OUT/initrd-strace.gz"
	rm -rf "$stage"
	echo "$hash" >"$OUT/initrd-strace.hash"
	log "strace initramfs $(stat -c %s "$OUT/initrd-strace.gz") bytes ($(tr '\n' ' ' <"$OUT/strace-packages"))"
}

# ---- qemu arguments ----------------------------------------------------------------

# qemu_args [extra kernel cmdline]: one argument a line. KASLR stays on (no nokaslr).
# -nodefaults instead of -nographic: no VGA, NIC or floppy, so no SeaBIOS/iPXE banners
# and terminal escapes on the console; the serial console and the monitor (Ctrl-A c) share
# stdio as with -nographic. TCG is QEMU's default here too; -accel tcg makes it explicit.
qemu_args() {
	local append="console=$CONSOLE panic=-1 quiet${1:+ $1}"
	printf '%s\n' -accel tcg "${MACHINE_ARGS[@]}" -m 256 -smp "$SMP" -nodefaults -no-user-config -display none \
		-serial mon:stdio -no-reboot \
		-kernel "$OUT/vmlinuz" -initrd "$OUT/initrd.gz" -append "$append"
}

write_qemu_args() {
	local new
	new=$(qemu_args)
	[[ -s $OUT/qemu-args && $(<"$OUT/qemu-args") == "$new" ]] || printf '%s\n' "$new" >"$OUT/qemu-args"
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f\n", b - a }'; }

# ---- kallsyms ----------------------------------------------------------------------

build_kallsyms() {
	[[ -s $OUT/kallsyms && -s $OUT/kallsyms.kernel && $(<"$OUT/kallsyms.kernel") == "$(<"$OUT/kernel-version")" ]] && return 0
	ensure_host_tools
	local raw=$OUT/kallsyms.raw t0 t1 s n want
	local -a args
	if [[ $SYMS_TO == console ]]; then
		# A board with one UART (arm virt): init writes the dump to the console between
		# KALLSYMS BEGIN / KALLSYMS END; every line is checked for the kallsyms format below.
		mapfile -t args < <(qemu_args systest.mode=dumpsyms-console)
		log "booting with systest.mode=dumpsyms-console (kallsyms on the console)"
		t0=$(now)
		timeout "$BOOT_TIMEOUT" "$QEMU" "${args[@]}" \
			</dev/null >"$OUT/dumpsyms.log" 2>&1 || die "dumpsyms boot failed (rc $?), see $OUT/dumpsyms.log"
		t1=$(now)
		tr -d '\r' <"$OUT/dumpsyms.log" | sed -n '/^KALLSYMS BEGIN$/,/^KALLSYMS END$/p' | sed '1d;$d' >"$OUT/kallsyms.tmp"
		n=$(grep -Evc '^[0-9a-f]+ [A-Za-z] [^ ]+(	\[[^ ]+\])?$' "$OUT/kallsyms.tmp") || true
		[[ $n -eq 0 ]] || die "kallsyms dump on the console has $n malformed lines (kernel messages in between?), see $OUT/dumpsyms.log"
		# The dump is in the kallsyms file now; keep the log short.
		tr -d '\r' <"$OUT/dumpsyms.log" | sed '/^KALLSYMS BEGIN$/,/^KALLSYMS END$/d' >"$OUT/dumpsyms.log.tmp"
		mv "$OUT/dumpsyms.log.tmp" "$OUT/dumpsyms.log"
	else
	mapfile -t args < <(qemu_args systest.mode=dumpsyms)
	rm -f "$raw"
	log "booting with systest.mode=dumpsyms (kallsyms to the second serial port)"
	t0=$(now)
	# The second -serial is the guest's ttyS1.
	timeout "$BOOT_TIMEOUT" "$QEMU" "${args[@]}" -serial "file:$raw" \
		</dev/null >"$OUT/dumpsyms.log" 2>&1 || die "dumpsyms boot failed (rc $?), see $OUT/dumpsyms.log"
	t1=$(now)
	# init puts ttyS1 in raw mode; drop any \r all the same (a cooked tty adds them).
	tr -d '\r' <"$raw" >"$OUT/kallsyms.tmp"
	rm -f "$raw"
	fi
	n=$(wc -l <"$OUT/kallsyms.tmp")
	for s in "${ENTRY_SYMS[@]}"; do
		grep -Eq "^[0-9a-f]{$ADDR_HEX} [tT] $s\$" "$OUT/kallsyms.tmp" || die "kallsyms dump ($n lines) has no text symbol $s"
		if grep -Eq "^0{$ADDR_HEX} [tT] $s\$" "$OUT/kallsyms.tmp"; then
			die "kallsyms dump shows $s at address 0 (kptr_restrict not 0?)"
		fi
	done
	# init prints the line count after the dump: nothing may be lost on the serial line.
	want=$(tr -d '\r' <"$OUT/dumpsyms.log" | sed -n 's/^KALLSYMS LINES \([0-9][0-9]*\)$/\1/p')
	[[ -n $want && $n -eq $want && $n -gt 10000 ]] || die "kallsyms dump has $n lines, the guest counted ${want:-?}"
	mv "$OUT/kallsyms.tmp" "$OUT/kallsyms"
	cp "$OUT/kernel-version" "$OUT/kallsyms.kernel"
	elapsed "$t0" "$t1" >"$OUT/kallsyms.seconds"
	log "kallsyms: $n lines, $(stat -c %s "$OUT/kallsyms") bytes, dump boot took $(<"$OUT/kallsyms.seconds") s"
}

# ---- check boot --------------------------------------------------------------------

# Boots the guest exactly as qemu-args says; it must print the systest log and power off.
check_boot() {
	local stamp t0 t1
	stamp="$(<"$OUT/initrd.hash") $(<"$OUT/kernel-version") $(qemu_args | sha256sum | cut -d' ' -f1)"
	[[ -s $OUT/boot.ok && $(<"$OUT/boot.ok") == "$stamp" ]] && return 0
	ensure_host_tools
	local -a args
	mapfile -t args <"$OUT/qemu-args"
	log "check boot: $QEMU \$(cat $OUT/qemu-args)"
	t0=$(now)
	timeout "$BOOT_TIMEOUT" "$QEMU" "${args[@]}" </dev/null >"$OUT/boot.log" 2>&1 ||
		die "check boot failed (rc $?), see $OUT/boot.log"
	t1=$(now)
	local out
	out=$(tr -d '\r' <"$OUT/boot.log")
	if ! grep -q '^SYSTEST BEGIN pid=[0-9]' <<<"$out" || ! grep -q '^SYSTEST END$' <<<"$out" ||
		grep -q '^SYSTEST FAIL' <<<"$out"; then
		die "no complete systest log in $OUT/boot.log"
	fi
	elapsed "$t0" "$t1" >"$OUT/boot.seconds"
	echo "$stamp" >"$OUT/boot.ok"
	log "check boot OK in $(<"$OUT/boot.seconds") s"
}

write_manifest() {
	{
		echo "# Where the files in this directory came from (written by scripts/build-guest.sh)."
		echo "kernel $(<"$OUT/kernel-version") from $(<"$OUT/kernel-package")"
		echo "busybox from $(<"$OUT/busybox-package")"
		echo "qemu $("$QEMU" --version | sed -n 1p)"
		echo "$CC $("$CC" -dumpfullversion), $(dpkg-query -W -f="$CROSS_LIBC_PKG \${Version}" "$CROSS_LIBC_PKG" 2>/dev/null || echo "$CROSS_LIBC_PKG ?")"
		echo "kallsyms dump boot: $(<"$OUT/kallsyms.seconds") s; check boot: $(<"$OUT/boot.seconds") s (TCG)"
	} >"$OUT/manifest"
}

# Other arches: kernel-btf.sh may not open the image (arm64's is a raw Image, neither an
# ELF nor compressed), so an uncompressed image is also searched for the BTF blob itself
# (btf_from_raw); a kernel without BTF is noted (btf.none), not fatal.
build_btf_other() {
	[[ -s $OUT/btf && $OUT/btf -nt $OUT/vmlinuz ]] && return 0
	[[ -s $OUT/btf.none && $OUT/btf.none -nt $OUT/vmlinuz ]] && return 0
	if bash "$ROOT/scripts/kernel-btf.sh" "$OUT/vmlinuz" "$OUT/btf" >"$OUT/btf.log" 2>&1; then
		cat "$OUT/btf.log" >&2
		rm -f "$OUT/btf.none" "$OUT/btf.log"
		return 0
	fi
	if btf_from_raw "$OUT/vmlinuz" "$OUT/btf"; then
		log "btf: $(stat -c %s "$OUT/btf") bytes of BTF found in the uncompressed image (kernel-btf.sh: $(tail -n 1 "$OUT/btf.log"))"
		rm -f "$OUT/btf.none" "$OUT/btf.log"
		return 0
	fi
	{ cat "$OUT/btf.log"; echo "no BTF blob (magic 0xeb9f, version 1, 24-byte header) in the image as it is either"; } >"$OUT/btf.none"
	rm -f "$OUT/btf.log"
	log "note: no BTF for $ARCH: $(paste -sd ";" "$OUT/btf.none") (skipped; the tracer's --btf will not work with this guest)"
}

# btf_from_raw IMAGE OUT: the kernel's .BTF section is a self-describing blob: struct
# btf_header (include/uapi/linux/btf.h: u16 magic 0xeb9f, u8 version 1, u8 flags, u32
# hdr_len 24, then type_off, type_len, str_off, str_len) followed by the types and the
# strings. Takes the first such header whose fields agree (types first, strings right after,
# ending with a NUL). Little-endian arches only (all of ours).
btf_from_raw() {
	local img=$1 out=$2 off hl toff tlen soff slen size
	for off in $(LC_ALL=C grep -obUaP '\x9f\xeb\x01\x00\x18\x00\x00\x00' "$img" | awk -F: '{ print $1 }'); do
		read -r hl toff tlen soff slen < <(od -An -w20 -tu4 -j $((off + 4)) -N 20 "$img")
		[[ $hl -eq 24 && $toff -eq 0 && $soff -eq $tlen && $slen -gt 0 ]] || continue
		size=$((hl + soff + slen))
		[[ $((off + size)) -le $(stat -c %s "$img") ]] || continue
		dd if="$img" of="$out.tmp" bs=1M iflag=skip_bytes,count_bytes skip="$off" count="$size" status=none
		if [[ $(tail -c 1 "$out.tmp" | od -An -tx1 | tr -d ' ') == 00 ]]; then
			mv "$out.tmp" "$out"
			return 0
		fi
	done
	rm -f "$out.tmp"
	return 1
}

build_kernel
build_busybox
build_initrd
[[ $ARCH != x86_64 ]] || build_strace_overlay # the strace overlay is x86_64 only
write_qemu_args
build_kallsyms
# The kernel's BTF (task_struct offsets for pid/comm), from the image itself: no guest boot.
[[ $ARCH != x86_64 ]] || [[ -s $OUT/btf && $OUT/btf -nt $OUT/vmlinuz ]] || bash "$(dirname "$0")/kernel-btf.sh" "$OUT/vmlinuz" "$OUT/btf" >&2
[[ $ARCH == x86_64 ]] || build_btf_other
check_boot
[[ -s $OUT/manifest && $OUT/manifest -nt $OUT/boot.ok && $OUT/manifest -nt $OUT/kallsyms ]] || write_manifest

echo "kernel    $OUT/vmlinuz ($(<"$OUT/kernel-version"))"
echo "initrd    $OUT/initrd.gz"
[[ $ARCH != x86_64 ]] || echo "strace    $OUT/initrd-strace.gz (systest.mode=strace)"
echo "kallsyms  $OUT/kallsyms"
if [[ -s $OUT/btf ]]; then echo "btf       $OUT/btf"; else echo "btf       (none, see $OUT/btf.none)"; fi
echo "qemu-args $OUT/qemu-args"
echo "manifest  $OUT/manifest"
