internal import Crypto

/// The stable name of a template: the first 12 hex digits of the SHA-256 of its UTF-8.
///
/// The same on every run and every machine (SHA-256 from swift-crypto, not a seeded hash), so
/// a fingerprint can be searched for across reports, days and Spaces.
package enum Fingerprint {
  /// Hex digits kept.
  package static let length = 12

  /// The fingerprint of `template`.
  package static func of(_ template: String) -> String {
    let digest = SHA256.hash(data: Array(template.utf8))
    let digits = Array("0123456789abcdef".utf8)
    var hex: [UInt8] = []
    hex.reserveCapacity(length)
    for byte in digest.prefix(length / 2) {
      hex.append(digits[Int(byte >> 4)])
      hex.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: hex, as: UTF8.self)
  }
}
