/// A JSON document with ordered object keys, written compactly.
///
/// Used for `--format json` and `ndjson` so field order is stable and `null`s are explicit.
public indirect enum JSONValue: Equatable, Sendable {
  case null
  case bool(Bool)
  case int(Int)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])

  public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.serialized() == rhs.serialized() }

  /// `value` as a string, or `null`.
  public static func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }

  /// The compact JSON text.
  public func serialized() -> String {
    var out: [UInt8] = []
    out.reserveCapacity(1024)
    write(into: &out)
    return String(decoding: out, as: UTF8.self)
  }

  /// Appends the compact JSON text to `out`.
  public func write(to out: inout String) { out += serialized() }

  /// Appends the compact JSON text to `out`, as UTF-8 bytes (no `String` grown piece by piece).
  func write(into out: inout [UInt8]) {
    switch self {
    case .null: out.append(contentsOf: "null".utf8)
    case .bool(let value): out.append(contentsOf: value ? "true".utf8 : "false".utf8)
    case .int(let value): out.append(contentsOf: String(value).utf8)
    case .string(let value): JSONValue.writeString(value, into: &out)
    case .array(let items):
      out.append(UInt8(ascii: "["))
      for (index, item) in items.enumerated() {
        if index > 0 { out.append(UInt8(ascii: ",")) }
        item.write(into: &out)
      }
      out.append(UInt8(ascii: "]"))
    case .object(let fields):
      out.append(UInt8(ascii: "{"))
      for (index, (key, value)) in fields.enumerated() {
        if index > 0 { out.append(UInt8(ascii: ",")) }
        JSONValue.writeString(key, into: &out)
        out.append(UInt8(ascii: ":"))
        value.write(into: &out)
      }
      out.append(UInt8(ascii: "}"))
    }
  }

  private static let hexDigits = Array("0123456789abcdef".utf8)

  /// A JSON string: `"`, `\`, `\n`, `\r`, `\t` escaped by name, the other C0 and C1 controls
  /// and DEL as `\u00xx`, everything else as it is.
  private static func writeString(_ value: String, into out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    var value = value
    value.withUTF8 { bytes in
      var index = 0
      var copied = 0
      while index < bytes.count {
        let byte = bytes[index]
        let escape: UInt8?
        var width = 1
        switch byte {
        case 0x22: escape = 0x22
        case 0x5C: escape = 0x5C
        case 0x0A: escape = UInt8(ascii: "n")
        case 0x0D: escape = UInt8(ascii: "r")
        case 0x09: escape = UInt8(ascii: "t")
        case 0..<0x20, 0x7F: escape = 0
        // U+0080...U+009F (C1 controls) are C2 80...C2 9F in UTF-8.
        case 0xC2 where index + 1 < bytes.count && bytes[index + 1] & 0xE0 == 0x80:
          escape = 0
          width = 2
        default:
          index += 1
          continue
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<index]))
        out.append(UInt8(ascii: "\\"))
        if let named = escape, named != 0 {
          out.append(named)
        } else {
          let scalar = width == 2 ? bytes[index + 1] : byte
          out.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30, hexDigits[Int(scalar >> 4)], hexDigits[Int(scalar & 0x0F)]])
        }
        index += width
        copied = index
      }
      out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<bytes.count]))
    }
    out.append(UInt8(ascii: "\""))
  }
}
