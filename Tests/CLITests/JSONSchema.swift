import Foundation

/// A JSON value with its types kept apart (JSONSerialization cannot tell `true` from `1`).
enum JSON: Decodable, Equatable, CustomStringConvertible {
  case null
  case bool(Bool)
  case integer(Int)
  case number(Double)
  case string(String)
  case array([JSON])
  case object([String: JSON])

  init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Int.self) {
      self = .integer(value)
    } else if let value = try? container.decode(Double.self) {
      self = .number(value)
    } else if let value = try? container.decode(String.self) {
      self = .string(value)
    } else if let value = try? container.decode([JSON].self) {
      self = .array(value)
    } else {
      self = .object(try container.decode([String: JSON].self))
    }
  }

  static func parse(_ text: String) throws -> JSON { try JSONDecoder().decode(JSON.self, from: Data(text.utf8)) }

  var description: String {
    switch self {
    case .null: "null"
    case .bool(let value): "\(value)"
    case .integer(let value): "\(value)"
    case .number(let value): "\(value)"
    case .string(let value): value.debugDescription
    case .array(let items): "[" + items.map(\.description).joined(separator: ", ") + "]"
    case .object(let fields): "{" + fields.keys.sorted().map { "\($0.debugDescription): \(fields[$0]!)" }.joined(separator: ", ") + "}"
    }
  }

  subscript(key: String) -> JSON? {
    if case .object(let fields) = self { return fields[key] }
    return nil
  }
}

/// A JSON Schema validator for the subset `docs/report.schema.json` uses: `type` (a name or a
/// list of names), `properties`, `required`, `additionalProperties` (`false` or a schema),
/// `items`, `enum`, and `$ref` to `#/$defs/…`. Annotations (`$schema`, `$id`, `title`,
/// `description`) are ignored; any other keyword is an error, so the schema cannot rely on a
/// check this validator would skip.
struct JSONSchemaValidator {
  let root: JSON

  static let annotations: Set<String> = ["$schema", "$id", "title", "description", "$defs"]
  static let keywords: Set<String> = ["type", "properties", "required", "additionalProperties", "items", "enum", "$ref"]

  /// Every way `value` breaks the schema, each with its JSON path; empty when it conforms.
  func errors(in value: JSON) -> [String] {
    var errors: [String] = []
    check(value, against: root, at: "$", into: &errors)
    return errors
  }

  /// Like ``errors(in:)``, against the schema at `#/$defs/name`.
  func errors(in value: JSON, definition name: String) -> [String] {
    var errors: [String] = []
    check(value, against: .object(["$ref": .string("#/$defs/\(name)")]), at: "$", into: &errors)
    return errors
  }

  private func check(_ value: JSON, against schema: JSON, at path: String, into errors: inout [String]) {
    guard case .object(let rules) = schema else {
      if schema != .bool(true) { errors.append("\(path): schema is not an object: \(schema)") }
      return
    }
    for key in rules.keys where !Self.keywords.contains(key) && !Self.annotations.contains(key) {
      errors.append("\(path): unsupported schema keyword `\(key)`")
    }
    if case .string(let reference)? = rules["$ref"] {
      let prefix = "#/$defs/"
      guard reference.hasPrefix(prefix), let target = root["$defs"]?[String(reference.dropFirst(prefix.count))] else {
        errors.append("\(path): unresolved $ref \(reference)")
        return
      }
      check(value, against: target, at: path, into: &errors)
    }
    if let type = rules["type"] {
      let names: [String]
      switch type {
      case .string(let name): names = [name]
      case .array(let items): names = items.compactMap { if case .string(let name) = $0 { name } else { nil } }
      default: names = []
      }
      if !names.contains(where: { Self.has(value, type: $0) }) {
        errors.append("\(path): expected \(names.joined(separator: " or ")), got \(value)")
        return
      }
    }
    if case .array(let allowed)? = rules["enum"], !allowed.contains(value) {
      errors.append("\(path): \(value) is not one of \(JSON.array(allowed))")
    }
    if case .object(let fields) = value {
      if case .array(let required)? = rules["required"] {
        for case .string(let name) in required where fields[name] == nil {
          errors.append("\(path): missing required field `\(name)`")
        }
      }
      let properties: [String: JSON]
      if case .object(let declared)? = rules["properties"] { properties = declared } else { properties = [:] }
      for (name, field) in fields.sorted(by: { $0.key < $1.key }) {
        if let schema = properties[name] {
          check(field, against: schema, at: "\(path).\(name)", into: &errors)
        } else if let additional = rules["additionalProperties"] {
          if additional == .bool(false) {
            errors.append("\(path): field `\(name)` is not in the schema (additionalProperties: false)")
          } else {
            check(field, against: additional, at: "\(path).\(name)", into: &errors)
          }
        }
      }
    }
    if case .array(let items) = value, let schema = rules["items"] {
      for (index, item) in items.enumerated() { check(item, against: schema, at: "\(path)[\(index)]", into: &errors) }
    }
  }

  private static func has(_ value: JSON, type: String) -> Bool {
    switch (type, value) {
    case ("null", .null), ("boolean", .bool), ("integer", .integer), ("string", .string), ("array", .array), ("object", .object):
      return true
    case ("number", .integer), ("number", .number):
      return true
    default:
      return false
    }
  }
}
