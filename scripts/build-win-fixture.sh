#!/usr/bin/env bash
# Builds the Windows system-call fixture (test/fixture/win) into .cache/winfixture:
# win32.elf (i386 multiboot: int 2Eh and sysenter), win64.elf (x86_64, a 32-bit multiboot image
# that enters long mode) and win64.map (its symbols as a System.map: KiSystemCall64, the LSTAR
# target). Debian's gcc and binutils only (no multilib: -ffreestanding -nostdlib).
set -euo pipefail
cd "$(dirname "$0")/.."
src=test/fixture/win
out=.cache/winfixture
if ! command -v gcc >/dev/null || ! command -v ld >/dev/null || ! command -v objcopy >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y -q --no-install-recommends gcc binutils; else echo "build-win-fixture: gcc and binutils needed" >&2; exit 1; fi
fi
mkdir -p "$out"
stamp=$(cat "$src"/* "$0" | sha256sum | cut -c1-16)
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$stamp" ] && [ -f "$out/win32.elf" ] && [ -f "$out/win64.elf" ]; then exit 0; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cflags=(-ffreestanding -nostdlib -fno-pic -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables -mgeneral-regs-only -O2 -Wall -Werror)
gcc -m32 "${cflags[@]}" -c "$src/fixture.c" -o "$tmp/f32.o"
gcc -m32 -c "$src/boot32.S" -o "$tmp/b32.o"
ld -m elf_i386 --no-warn-rwx-segments -z noexecstack -T "$src/link.ld" "$tmp/b32.o" "$tmp/f32.o" -o "$tmp/win32.elf"
gcc -m64 -mno-red-zone -mcmodel=kernel "${cflags[@]}" -c "$src/fixture.c" -o "$tmp/f64.o"
gcc -m64 -c "$src/boot64.S" -o "$tmp/b64.o"
ld -m elf_x86_64 --no-warn-rwx-segments -z noexecstack -T "$src/link.ld" "$tmp/b64.o" "$tmp/f64.o" -o "$tmp/win64-64.elf"
# QEMU's multiboot loader refuses ELF64: the same segments as an ELF32 file.
objcopy -O elf32-i386 "$tmp/win64-64.elf" "$tmp/win64.elf"
nm "$tmp/win64-64.elf" > "$tmp/win64.map"
nm "$tmp/win32.elf" > "$tmp/win32.map"
cp "$tmp"/win32.elf "$tmp"/win64.elf "$tmp"/win32.map "$tmp"/win64.map "$out/"
echo "$stamp" > "$out/stamp"
echo "build-win-fixture: $out/win32.elf $out/win64.elf"
