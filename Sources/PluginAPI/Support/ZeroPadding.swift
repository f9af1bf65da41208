extension BinaryInteger {
    /// The digits in `radix` (lowercase letters), left-padded with zeros to at least `width`
    /// characters, the sign counted: what `String(format: "%04d")` and `"%04x"` gave, which
    /// needs full Foundation. For the kernel's fixed-width output (timestamps, `\u` escapes).
    package func zeroPadded(_ width: Int, radix: Int = 10) -> String {
        let digits = String(self.magnitude, radix: radix)
        let sign = self < 0 ? "-" : ""
        let padding = max(0, width - sign.count - digits.count)
        return sign + String(repeating: "0", count: padding) + digits
    }
}
