#!/usr/bin/env bash
# kernel-btf.sh VMLINUZ OUT: writes the kernel's BTF type data (the .BTF section of vmlinux)
# to OUT, from a kernel image as Debian's linux-image packages ship it (/boot/vmlinuz-*).
# systrace reads task_struct offsets from it (--btf) to name the process of each call.
# x86 bzImage: the compressed vmlinux follows the setup code; this finds the first XZ, gzip
# or zstd stream that decompresses to an ELF (as the kernel's scripts/extract-vmlinux does),
# then takes .BTF out with objcopy (binutils). Needs xz-utils / gzip / zstd as the image needs.
set -euo pipefail
export LC_ALL=C
[[ $# -eq 2 ]] || { echo "usage: $0 VMLINUZ OUT" >&2; exit 2; }
img=$1 out=$2
[[ -r $img ]] || { echo "$0: cannot read $img" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
try() { # try MAGIC DECOMPRESSOR...
	local magic=$1; shift
	local pos
	for pos in $(grep -aboP "$magic" "$img" 2>/dev/null | cut -d: -f1 | head -n 5); do
		tail -c +$((pos + 1)) "$img" | "$@" >"$tmp/vmlinux" 2>/dev/null || true
		if [[ $(head -c 4 "$tmp/vmlinux" 2>/dev/null | od -An -tx1 | tr -d ' \n') == 7f454c46 ]]; then return 0; fi
	done
	return 1
}
if [[ $(head -c 4 "$img" | od -An -tx1 | tr -d ' \n') == 7f454c46 ]]; then
	cp "$img" "$tmp/vmlinux" # already an ELF (mips, some arm64 Images are raw: not handled)
elif ! { try '\xfd7zXZ\x00' xz -dc || try '\x1f\x8b\x08' gzip -dc || try '\x28\xb5\x2f\xfd' zstd -dc; }; then
	echo "$0: no compressed vmlinux found in $img" >&2
	exit 1
fi
objcopy -O binary --only-section=.BTF "$tmp/vmlinux" "$tmp/btf"
[[ -s $tmp/btf && $(head -c 2 "$tmp/btf" | od -An -tx1 | tr -d ' \n') == 9feb ]] || { echo "$0: $img has no .BTF section (kernel built without CONFIG_DEBUG_INFO_BTF?)" >&2; exit 1; }
mv "$tmp/btf" "$out"
echo "$out: $(stat -c %s "$out") bytes of BTF"
