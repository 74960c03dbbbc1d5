import Testing

@testable import SpaceTriage

struct LeadingTimestampTests {
  private func stripped(_ line: String) -> String {
    var bytes = Array(line.utf8)
    return bytes.withUnsafeMutableBytes { String(decoding: LeadingTimestamp.stripped(UnsafeRawBufferPointer($0)), as: UTF8.self) }
  }

  @Test(arguments: [
    ("2026-11-30T09:12:04.512941002Z   File \"/home/user/app/app.py\", line 3", "  File \"/home/user/app/app.py\", line 3"),
    ("2026-11-30T09:12:04Z ValueError: x", "ValueError: x"),
    ("2026-11-30T09:12:04+01:00 panic: x", "panic: x"),
    ("2026-11-30T09:12:04.5-0700 panic: x", "panic: x"),
    ("[2026-11-30 09:12:04,512] INFO spawned: 'app'", "INFO spawned: 'app'"),
    ("[2026-11-30 09:12:04] Traceback (most recent call last):", "Traceback (most recent call last):"),
    ("[2026-11-30T09:12:04.123Z]\tKeyError: 'a'", "KeyError: 'a'"),
    ("2026-11-30T09:12:04Z ", ""),
  ])
  func collectorStampsAreLeftOut(_ line: String, _ text: String) {
    #expect(stripped(line) == text)
  }

  @Test(arguments: [
    "10.16.4.123 - - [30/Nov/2026 09:12:04] \"GET / HTTP/1.1\" 200 -",
    "2026-11-30",
    "2026-11-30T09:12:04Z",  // nothing after it: no blank, no text
    "2026-11-30T09:12:04ZValueError: x",
    "2026/11/30 09:12:04 loading config",  // Go's log prefix is the app's own text
    "2026-11-30 09:12:04,512 ValueError: retried",  // so is Python logging's
    "[2026-11-30 09:12:04 ValueError: x",  // the bracket never closes
    "2026-11-30T09:12:04. x",  // a fraction without digits
    "2026-11-30T9:12:04Z x",
    "[INFO] 2026-11-30T09:12:04Z x",
    "===== Application Startup at 2026-11-30 09:12:01 =====",
    "",
  ])
  func otherLinesAreTheirOwnText(_ line: String) {
    #expect(stripped(line) == line)
  }
}
