// libFuzzer target: the line reader must hand out exactly the input's lines, whatever the
// bytes and however reads are split. Built by Tests/Fuzz/run.sh, not by SwiftPM.
import SpaceTriage

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLineReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let chunk = Int(bytes.first ?? 1) % 17 + 1
  let maxLine = Int(bytes.last ?? 64) % 64 + 8
  var reader = LineReader(MemorySource(bytes, chunkSize: chunk), maxLineLength: maxLine, readSize: chunk * 3)
  var rebuilt: [UInt8] = []
  var sawTruncation = false
  do {
    try reader.forEachLine { line in
      rebuilt += line.bytes
      rebuilt.append(0x0A)
      sawTruncation = sawTruncation || line.isTruncated
      precondition(line.bytes.count <= maxLine, "line longer than the maximum")
      return true
    }
  } catch {
    preconditionFailure("MemorySource cannot fail: \(error)")
  }
  precondition(reader.bytesRead == size, "bytes lost")
  if !sawTruncation {
    // Without cut lines, the lines are the input with CRLF normalised and a final LF added.
    var expected: [UInt8] = []
    var index = 0
    while index < bytes.count {
      if bytes[index] == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A {
        index += 1
        continue
      }
      expected.append(bytes[index])
      index += 1
    }
    if let last = expected.last, last != 0x0A { expected.append(0x0A) }
    if expected.last == 0x0A, bytes.last == 0x0D, expected.count >= 2, rebuilt.last == 0x0A, rebuilt.count == expected.count - 1 {
      // "…\r" at the very end: the reader drops that CR as a line terminator's.
      return 0
    }
    precondition(rebuilt == expected, "lines do not rebuild the input")
  }
  return 0
}
