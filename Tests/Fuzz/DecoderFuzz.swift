// libFuzzer target: the SSE/JSON line decoder never crashes, never writes more than it read,
// and every input line gives at most as many texts as it has bytes.
import SpaceTriage

let decoder = LineDecoder(maxLineLength: 1 << 16)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let buffer = UnsafeRawBufferPointer(start: data, count: size)
  var texts = 0
  var total = 0
  decoder.decode(buffer) { text in
    texts += 1
    total += text.count
  }
  precondition(total <= max(size, 1) * 3, "decoded text larger than the line")
  precondition(texts <= size + 1, "more texts than bytes")
  return 0
}
