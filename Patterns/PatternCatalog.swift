public import Foundation
public import SpaceTriage

/// The catalog bundled with space-triage: the YAML files under `Patterns/catalog/`.
public enum PatternCatalog {
  /// The folder holding the bundled `*.yaml` catalog files.
  public static var directory: URL {
    Bundle.module.url(forResource: "catalog", withExtension: nil)
      ?? Bundle.module.bundleURL.appendingPathComponent("catalog")
  }

  /// The bundled catalog as `Catalog.load(directories: [directory])` reads it, built from the
  /// snapshot compiled into the binary (`BundledCatalog+Snapshot.swift`): no YAML is parsed.
  /// Its patterns are marked as known to compile (a test compiles them all), so
  /// ``CompiledCatalog`` compiles each on its first candidate line.
  public static var bundled: Catalog {
    let folder = directory
    return SnapshotCodec.decode(
      files: BundledCatalog.files.map { folder.appendingPathComponent($0).path }, fields: BundledCatalog.fields)
  }

  /// The Swift source of `BundledCatalog+Snapshot.swift` for `catalog` (the YAML files as
  /// loaded); `CatalogSnapshotTests` compares it with the checked-in file and rewrites it when
  /// `SPACE_TRIAGE_UPDATE_SNAPSHOT=1`.
  package static func snapshotSource(of catalog: Catalog) -> String {
    SnapshotCodec.source(of: catalog)
  }
}

/// The generated snapshot's data (see `BundledCatalog+Snapshot.swift`).
enum BundledCatalog {}

/// Writes and reads the snapshot: every entry as a run of strings in one flat array, cheap to
/// compile and to read.
///
/// An entry is: file index, line, column, pattern line, pattern column, id, title, stage,
/// class, priority, pattern, caseless (`1`/`0`), anchored, effect; then a count and that many
/// literals; a count and that many (action, text) advice pairs; a count and that many
/// (text, line, column) must-match examples; the same for must-not-match.
enum SnapshotCodec {
  static func source(of catalog: Catalog) -> String {
    let names = catalog.files.map { String($0.split(separator: "/").last ?? "") }
    let fileIndex = Dictionary(zip(catalog.files, names.indices), uniquingKeysWith: { first, _ in first })
    var out = """
      // swift-format-ignore-file
      // Generated from Patterns/catalog/*.yaml; do not edit. After changing the YAML, regenerate with
      //   SPACE_TRIAGE_UPDATE_SNAPSHOT=1 swift test --filter CatalogSnapshotTests
      // (CatalogSnapshotTests fails while this file is stale.)

      extension BundledCatalog {
        /// The catalog files, by name.
        static let files: [String] = [

      """
    for name in names { out += "    \(literal(name)),\n" }
    out += "  ]\n\n  /// The entries, one after the other (see `SnapshotCodec`).\n  static let fields: [String] = [\n"
    for signature in catalog.signatures {
      var fields = [
        String(fileIndex[signature.location.file] ?? 0), String(signature.location.line), String(signature.location.column),
        String(signature.patternLocation.line), String(signature.patternLocation.column),
        signature.id, signature.title, signature.stage.rawValue, signature.signatureClass.rawValue,
        String(signature.priority), signature.pattern, signature.caseless ? "1" : "0", signature.anchored ? "1" : "0",
        signature.effect.rawValue, String(signature.literals.count),
      ]
      fields += signature.literals
      fields.append(String(signature.advice.count))
      for step in signature.advice { fields += [step.action, step.text] }
      for examples in [signature.mustMatch, signature.mustNotMatch] {
        fields.append(String(examples.count))
        for example in examples { fields += [example.text, String(example.location.line), String(example.location.column)] }
      }
      out += "    // \(signature.id)\n"
      for field in fields { out += "    \(literal(field)),\n" }
    }
    out += "  ]\n}\n"
    return out
  }

  /// `text` as a Swift string literal: printable ASCII as it is, everything else escaped.
  static func literal(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\\": out += "\\\\"
      case "\"": out += "\\\""
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      default:
        if scalar.value >= 0x20 && scalar.value < 0x7F {
          out.unicodeScalars.append(scalar)
        } else {
          out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
        }
      }
    }
    return out + "\""
  }

  /// The catalog of a snapshot whose files are at `files`. A snapshot cut short (it is
  /// generated, so only by hand) gives the entries read so far.
  static func decode(files: [String], fields: [String]) -> Catalog {
    var reader = FieldReader(fields: fields)
    var signatures: [Signature] = []
    signatures.reserveCapacity(fields.count / 16)
    while !reader.isAtEnd {
      let fileNumber = reader.int()
      let file = files.indices.contains(fileNumber) ? files[fileNumber] : ""
      let location = SourceLocation(file: file, line: reader.int(), column: reader.int())
      let patternLocation = SourceLocation(file: file, line: reader.int(), column: reader.int())
      let id = reader.next()
      let title = reader.next()
      let stage = Stage(rawValue: reader.next()) ?? .running
      let signatureClass = SignatureClass(rawValue: reader.next()) ?? .info
      let priority = reader.int()
      let pattern = reader.next()
      let caseless = reader.next() == "1"
      let anchored = reader.next() == "1"
      let effect = Effect(rawValue: reader.next()) ?? .none
      let literals = (0..<reader.int()).map { _ in reader.next() }
      let advice = (0..<reader.int()).map { _ in AdviceStep(action: reader.next(), text: reader.next()) }
      let examples = (0..<2).map { _ in
        (0..<reader.int()).map { _ in
          CatalogExample(text: reader.next(), location: SourceLocation(file: file, line: reader.int(), column: reader.int()))
        }
      }
      guard !reader.isPastEnd else { break }
      var signature = Signature(
        id: id, title: title, stage: stage, signatureClass: signatureClass, priority: priority, pattern: pattern,
        caseless: caseless, anchored: anchored, effect: effect, literals: literals, advice: advice,
        mustMatch: examples[0], mustNotMatch: examples[1], location: location, patternLocation: patternLocation)
      signature.patternIsKnownGood = true
      signatures.append(signature)
    }
    return Catalog(signatures: signatures, files: files)
  }
}

/// Reads the snapshot's strings in order; past the end it reads empty strings and zeros.
private struct FieldReader {
  let fields: [String]
  var position = 0

  var isAtEnd: Bool { position >= fields.count }
  var isPastEnd: Bool { position > fields.count }

  mutating func next() -> String {
    defer { position += 1 }
    return position < fields.count ? fields[position] : ""
  }

  mutating func int() -> Int { Int(next()) ?? 0 }
}
