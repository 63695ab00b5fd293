/**
 * MIPS errno numbers (arch/mips/include/uapi/asm/errno.h, Debian linux-source 6.1.192): 1-34
 * are asm-generic/errno-base.h's, as everywhere; from 35 on MIPS numbers them its own way
 * (ENOSYS is 89, EDQUOT 1133). The names map to the generic table's entries (tables/errno.ts)
 * for strace's message; the kernel-internal 512-529 are common to all arches.
 */
import { ERRNO } from './errno.js';

const MIPS_NAMES: ReadonlyMap<number, string> = new Map([
  [35, "ENOMSG"],
  [36, "EIDRM"],
  [37, "ECHRNG"],
  [38, "EL2NSYNC"],
  [39, "EL3HLT"],
  [40, "EL3RST"],
  [41, "ELNRNG"],
  [42, "EUNATCH"],
  [43, "ENOCSI"],
  [44, "EL2HLT"],
  [45, "EDEADLK"],
  [46, "ENOLCK"],
  [50, "EBADE"],
  [51, "EBADR"],
  [52, "EXFULL"],
  [53, "ENOANO"],
  [54, "EBADRQC"],
  [55, "EBADSLT"],
  [56, "EDEADLOCK"],
  [59, "EBFONT"],
  [60, "ENOSTR"],
  [61, "ENODATA"],
  [62, "ETIME"],
  [63, "ENOSR"],
  [64, "ENONET"],
  [65, "ENOPKG"],
  [66, "EREMOTE"],
  [67, "ENOLINK"],
  [68, "EADV"],
  [69, "ESRMNT"],
  [70, "ECOMM"],
  [71, "EPROTO"],
  [73, "EDOTDOT"],
  [74, "EMULTIHOP"],
  [77, "EBADMSG"],
  [78, "ENAMETOOLONG"],
  [79, "EOVERFLOW"],
  [80, "ENOTUNIQ"],
  [81, "EBADFD"],
  [82, "EREMCHG"],
  [83, "ELIBACC"],
  [84, "ELIBBAD"],
  [85, "ELIBSCN"],
  [86, "ELIBMAX"],
  [87, "ELIBEXEC"],
  [88, "EILSEQ"],
  [89, "ENOSYS"],
  [90, "ELOOP"],
  [91, "ERESTART"],
  [92, "ESTRPIPE"],
  [93, "ENOTEMPTY"],
  [94, "EUSERS"],
  [95, "ENOTSOCK"],
  [96, "EDESTADDRREQ"],
  [97, "EMSGSIZE"],
  [98, "EPROTOTYPE"],
  [99, "ENOPROTOOPT"],
  [120, "EPROTONOSUPPORT"],
  [121, "ESOCKTNOSUPPORT"],
  [122, "EOPNOTSUPP"],
  [123, "EPFNOSUPPORT"],
  [124, "EAFNOSUPPORT"],
  [125, "EADDRINUSE"],
  [126, "EADDRNOTAVAIL"],
  [127, "ENETDOWN"],
  [128, "ENETUNREACH"],
  [129, "ENETRESET"],
  [130, "ECONNABORTED"],
  [131, "ECONNRESET"],
  [132, "ENOBUFS"],
  [133, "EISCONN"],
  [134, "ENOTCONN"],
  [135, "EUCLEAN"],
  [137, "ENOTNAM"],
  [138, "ENAVAIL"],
  [139, "EISNAM"],
  [140, "EREMOTEIO"],
  [141, "EINIT"],
  [142, "EREMDEV"],
  [143, "ESHUTDOWN"],
  [144, "ETOOMANYREFS"],
  [145, "ETIMEDOUT"],
  [146, "ECONNREFUSED"],
  [147, "EHOSTDOWN"],
  [148, "EHOSTUNREACH"],
  [149, "EALREADY"],
  [150, "EINPROGRESS"],
  [151, "ESTALE"],
  [158, "ECANCELED"],
  [159, "ENOMEDIUM"],
  [160, "EMEDIUMTYPE"],
  [161, "ENOKEY"],
  [162, "EKEYEXPIRED"],
  [163, "EKEYREVOKED"],
  [164, "EKEYREJECTED"],
  [165, "EOWNERDEAD"],
  [166, "ENOTRECOVERABLE"],
  [167, "ERFKILL"],
  [168, "EHWPOISON"],
  [1133, "EDQUOT"],
]);

let byName: Map<string, readonly [string, string]> | undefined;

/** [name, message] of errno `e` on MIPS (the message from the generic table, by name). */
export function mipsErrno(e: number): readonly [string, string] | undefined {
  if (e < 35 || e >= 512) return ERRNO.get(e);
  const name = MIPS_NAMES.get(e);
  if (name === undefined) return undefined;
  if (!byName) {
    byName = new Map();
    for (const entry of ERRNO.values()) byName.set(entry[0], entry);
  }
  return byName.get(name) ?? [name, name];
}
