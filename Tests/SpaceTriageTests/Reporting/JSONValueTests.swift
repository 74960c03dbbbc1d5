import Foundation
import SpaceTriage
import Testing

struct JSONValueTests {
  @Test func stringsEscapeQuotesBackslashesAndEveryControlCharacter() {
    let text = "a\"b\\c\nd\re\tf\u{1}g\u{1B}h\u{7F}i\u{80}j\u{9F}k\u{A0}l é 🚀"
    #expect(
      JSONValue.string(text).serialized()
        == #""a\"b\\c\nd\re\tf\u0001g\u001bh\u007fi\u0080j\u009fk"# + "\u{A0}l é 🚀\"")
  }

  @Test func everyScalarRoundTripsThroughAJSONParser() throws {
    // Each C0, DEL, C1 and a few others, alone and between letters.
    let scalars = (0..<0xA1).compactMap(Unicode.Scalar.init) + ["é", "€", "😀"]
    for scalar in scalars {
      let original = "x\(scalar)\(scalar)y"
      let data = Data(JSONValue.array([.string(original)]).serialized().utf8)
      let parsed = try #require(try JSONSerialization.jsonObject(with: data) as? [String])
      #expect(parsed == [original], "U+\(String(scalar.value, radix: 16))")
    }
  }

  @Test func documentsKeepTheirOrderAndWriteNumbersAndNulls() {
    let value = JSONValue.object([
      ("z", .int(-42)), ("a", .array([.bool(true), .bool(false), .null, .int(0), .int(Int.max)])), ("", .string("")),
    ])
    #expect(value.serialized() == #"{"z":-42,"a":[true,false,null,0,9223372036854775807],"":""}"#)
    var appended = "prefix "
    value.write(to: &appended)
    #expect(appended == "prefix " + value.serialized())
  }
}
