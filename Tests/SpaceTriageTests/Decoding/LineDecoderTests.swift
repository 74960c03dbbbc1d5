import SpaceTriage
import Testing

func decode(_ lines: [String], decoder: LineDecoder = LineDecoder()) -> [String] {
  var out: [String] = []
  for line in lines {
    var bytes = Array(line.utf8)
    bytes.withUnsafeMutableBytes { buffer in
      decoder.decode(UnsafeRawBufferPointer(buffer)) { text in out.append(String(decoding: text, as: UTF8.self)) }
    }
  }
  return out
}

struct LineDecoderTests {
  @Test func plainTextPassesThrough() {
    #expect(decode(["ERROR: something", "", "  indented"]) == ["ERROR: something", "", "  indented"])
  }

  @Test func sseDataLinesGiveTheirText() {
    let decoder = LineDecoder()
    let lines = [
      #"data: {"data": "===== Application Startup at 2026-04-15 10:00:00 =====\n", "timestamp": "2026-04-15T10:00:00.123Z"}"#,
      "data: ",
      "data:",
      "",
      "event: message",
      "id: 7",
      ": keep-alive",
      #"data: {"data": "RuntimeError: No CUDA GPUs are available", "timestamp": "2026-04-15T10:00:05Z"}"#,
    ]
    #expect(
      decode(lines, decoder: decoder) == [
        "===== Application Startup at 2026-04-15 10:00:00 =====", "", "RuntimeError: No CUDA GPUs are available",
      ])
    #expect(decoder.lastTimestamp == "2026-04-15T10:00:05Z")
  }

  @Test func jsonLinesWithDataOrMessage() {
    #expect(decode([#"{"data": "a \"quoted\" \\ tab\there", "other": [1, {"x": null}], "n": -1.5e3}"#]) == ["a \"quoted\" \\ tab\there"])
    #expect(
      decode([#"{"level": "WARN", "message": "Signal received, starting graceful shutdown"}"#]) == [
        "Signal received, starting graceful shutdown"
      ])
  }

  @Test func unicodeEscapesIncludingSurrogatePairs() {
    #expect(decode([#"{"data": "caf\u00e9 \u26a1 \ud83d\ude00 \ud800 end"}"#]) == ["café ⚡ 😀 \u{FFFD} end"])
  }

  @Test func embeddedNewlinesGiveSeveralTexts() {
    #expect(
      decode([#"{"data": "Traceback:\n  File x\r\nKeyError: 'HF_TOKEN'\n"}"#]) == [
        "Traceback:", "  File x", "KeyError: 'HF_TOKEN'",
      ])
  }

  @Test func malformedOrWrongTypedJSONIsPlainText() {
    let broken = [
      #"data: {"data": "cut in the mid"#,
      #"{"data": 42}"#,
      #"{"data": "x"} trailing"#,
      #"{"data": ["nested"]"#,
    ]
    let out = decode(broken)
    #expect(out == [#"{"data": "cut in the mid"#, #"{"data": 42}"#, #"{"data": "x"} trailing"#, #"{"data": ["nested"]"#])
  }

  @Test func deeplyNestedJSONIsRefusedWithoutRecursingForever() {
    let deep = #"{"a": "# + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
    #expect(decode([deep]).count == 1)
  }

  @Test func ansiCodesAreStripped() {
    #expect(decode(["\u{1B}[31mERROR\u{1B}[0m: \u{1B}[1;33mbad\u{1B}[m", "\u{1B}]0;title\u{07}after"]) == ["ERROR: bad", "after"])
    #expect(decode([#"data: {"data": "\u001b[32mRunning\u001b[0m"}"#]) == ["Running"])
  }

  /// Decoded JSON can be half as long again as its line (an invalid `\u` becomes U+FFFD), and
  /// ANSI stripping then copies it: both fit in the decoder's scratch.
  @Test func invalidEscapesAtTheMaximumLengthFit() {
    let decoder = LineDecoder(maxLineLength: 4096)
    let line = Array(("{\"data\":\"\u{1B}[0m" + String(repeating: "\\u", count: 2030) + "\"}").utf8)
    var total = 0
    line.withUnsafeBytes { bytes in decoder.decode(bytes) { total += $0.count } }
    #expect(total == 3 * 2030)
  }

  /// Escaped quotes and many escapes: the string ends at the first unescaped quote.
  @Test func stringsWithManyEscapes() {
    let body = "say \\\"hi\\\" \\\\" + String(repeating: "\\n", count: 300)
    let decoded = decode(["{\"data\": \"" + body + "\", \"timestamp\": \"t\"}"])
    #expect(decoded == ["say \"hi\" \\"])
  }
}
