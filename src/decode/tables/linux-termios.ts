/**
 * termios flags as strace 6.1 prints them (src/xlat/term_*.in), values from
 * include/uapi/asm-generic/termbits.h (x86 uses the generic ones).
 */
import type { FlagTable } from '../format.js';

export const TERM_IFLAGS: FlagTable = {
  bits: [
    [0o1, 'IGNBRK'], [0o2, 'BRKINT'], [0o4, 'IGNPAR'], [0o10, 'PARMRK'], [0o20, 'INPCK'], [0o40, 'ISTRIP'],
    [0o100, 'INLCR'], [0o200, 'IGNCR'], [0o400, 'ICRNL'], [0o1000, 'IUCLC'], [0o2000, 'IXON'], [0o4000, 'IXANY'],
    [0o10000, 'IXOFF'], [0o20000, 'IMAXBEL'], [0o40000, 'IUTF8'],
  ],
};

/** c_oflag: the delay fields (each a small enum under its mask), then the flags. */
export const TERM_ODELAYS: ReadonlyArray<readonly [number, readonly string[]]> = [
  [0o400, ['NL0', 'NL1']],
  [0o3000, ['CR0', 'CR1', 'CR2', 'CR3']],
  [0o14000, ['TAB0', 'TAB1', 'TAB2', 'TAB3']],
  [0o20000, ['BS0', 'BS1']],
  [0o40000, ['VT0', 'VT1']],
  [0o100000, ['FF0', 'FF1']],
];
export const TERM_OFLAGS: FlagTable = {
  bits: [[0o1, 'OPOST'], [0o2, 'OLCUC'], [0o4, 'ONLCR'], [0o10, 'OCRNL'], [0o20, 'ONOCR'], [0o40, 'ONLRET'], [0o100, 'OFILL'], [0o200, 'OFDEL']],
};

export const CBAUD = 0o10017;
export const BAUDS = new Map<number, string>([
  [0, 'B0'], [1, 'B50'], [2, 'B75'], [3, 'B110'], [4, 'B134'], [5, 'B150'], [6, 'B200'], [7, 'B300'], [8, 'B600'],
  [9, 'B1200'], [10, 'B1800'], [11, 'B2400'], [12, 'B4800'], [13, 'B9600'], [14, 'B19200'], [15, 'B38400'],
  [0o10000, 'BOTHER'], [0o10001, 'B57600'], [0o10002, 'B115200'], [0o10003, 'B230400'], [0o10004, 'B460800'],
  [0o10005, 'B500000'], [0o10006, 'B576000'], [0o10007, 'B921600'], [0o10010, 'B1000000'], [0o10011, 'B1152000'],
  [0o10012, 'B1500000'], [0o10013, 'B2000000'], [0o10014, 'B2500000'], [0o10015, 'B3000000'], [0o10016, 'B3500000'],
  [0o10017, 'B4000000'],
]);
export const CSIZES = ['CS5', 'CS6', 'CS7', 'CS8'];
export const TERM_CFLAGS: FlagTable = {
  bits: [
    [0o100, 'CSTOPB'], [0o200, 'CREAD'], [0o400, 'PARENB'], [0o1000, 'PARODD'], [0o2000, 'HUPCL'], [0o4000, 'CLOCAL'],
    [0o10000000000, 'CMSPAR'], [0o20000000000, 'CRTSCTS'],
  ],
};

/** In strace's order (term_lflags.in lists IEXTEN after TOSTOP). */
export const TERM_LFLAGS: FlagTable = {
  bits: [
    [0o1, 'ISIG'], [0o2, 'ICANON'], [0o4, 'XCASE'], [0o10, 'ECHO'], [0o20, 'ECHOE'], [0o40, 'ECHOK'], [0o100, 'ECHONL'],
    [0o200, 'NOFLSH'], [0o400, 'TOSTOP'], [0o100000, 'IEXTEN'], [0o1000, 'ECHOCTL'], [0o2000, 'ECHOPRT'], [0o4000, 'ECHOKE'],
    [0o10000, 'FLUSHO'], [0o40000, 'PENDIN'], [0o200000, 'EXTPROC'],
  ],
};
