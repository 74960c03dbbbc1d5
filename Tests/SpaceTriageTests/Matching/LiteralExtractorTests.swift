import SpaceTriage
import Testing

struct LiteralExtractorTests {
  static let cases: [(pattern: String, literals: [String]?)] = [
    (#"No matching distribution found for (?<package>\S+)"#, ["No matching distribution found for "]),
    (#"\bCUDA out of memory\b|torch\.(?:cuda\.)?OutOfMemoryError"#, ["CUDA out of memory", "OutOfMemoryError"]),
    (#"No module named '(?<module>[^']+)'"#, ["No module named '"]),
    (#"(?i)runtime error"#, ["runtime error"]),
    (#"Memory limit exceeded \((?<limit>\d+Gi?B?)\)"#, ["Memory limit exceeded ("]),
    (#"colou?r scheme"#, ["r scheme"]),
    (#"abcdx+yz"#, ["abcdx"]),
    (#"abcd{2}efg"#, ["abcd"]),
    (#"ab{0,3}cdefgh"#, ["cdefgh"]),
    (#"^===== Build Queued at \d{4}"#, ["===== Build Queued at "]),
    (#"abc|a much longer branch"#, nil),
    (#"\d+\s+\w+"#, nil),
    (#"(?i:mixed) options"#, nil),
    (#"\Qquoted\E text"#, nil),
    (#"GPU ⚡? ready now"#, [" ready now"]),
    (#"[Ee]rror: something bad"#, ["rror: something bad"]),
    (#"Exit code: \d+\. Reason:"#, ["Exit code: "]),
    // Found by the catalog-loader fuzzer: a huge brace count used to overflow.
    (#"abcdx{99999999999999999999999999}"#, ["abcdx"]),
    (#"abcdx{99999999999999999999999999"#, ["abcdx{99999999999999999999999999"]),
  ]

  @Test(arguments: cases.indices)
  func extractsTheRequiredLiterals(_ index: Int) {
    let (pattern, literals) = Self.cases[index]
    #expect(LiteralExtractor.requiredLiterals(of: pattern) == literals, "\(pattern)")
  }
}
