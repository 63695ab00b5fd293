// The part of lzma-native's API used here (it ships no TypeScript types).
declare module 'lzma-native' {
  const lzma: {
    decompress(data: Buffer, options: { memlimit?: number }, callback: (out: Buffer | null, err?: Error) => void): void;
  };
  export default lzma;
}
