import Foundation
import CLibXML2

// All libxml2 pointer handling lives here: feed documents (push parser's SAX2 events, or the recovering tree for
// broken ones) and HTML pages (with XPath rules) become `MarkupElement` trees; HTML fragments stream as events;
// URIs resolve; HTML entities are looked up. Everything else works on Swift values.

private let xmlNamespaceURI = "http://www.w3.org/XML/1998/namespace"

private func string(_ p: UnsafePointer<xmlChar>?) -> String? {
    guard let p else { return nil }
    return String(cString: UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self))
}

/// Parses XML feeds with libxml2 in recover mode, never touching the network or the file system.
enum XMLDocumentReader {
    /// Longest replacement text taken from an entity declared in the document's own DTD.
    static let maxEntityText = 4096
    /// Deepest element nesting read: libxml2's own default limit (`xmlParserMaxDepth`). Feeds nest a
    /// dozen levels; a hundred thousand is an attack on the stack.
    static let maxDepth = 256

    /// The options both readers use. No NOENT (entity substitution, the XXE vector), no DTDLOAD, no
    /// network; recover like feedparser's loose mode. An explicit encoding wins over the declaration.
    private static func options(encoding: String?) -> Int32 {
        var options = Int32(XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue
            | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_COMPACT.rawValue)
        if encoding != nil { options |= Int32(XML_PARSE_IGNORE_ENC.rawValue) }
        return options
    }

    /// Parses `bytes`; `encoding` overrides the document's own declaration when given.
    /// `repairMojibake`: the document is UTF-8, so text that is UTF-8 read as Latin-1 can be undone.
    ///
    /// Well-formed documents are read by libxml2's push parser, building the tree straight from its SAX2
    /// events. Broken documents, and those that declare entities of their own, go through libxml2's
    /// recovering pull parser and its tree (`parseTree`), whose repairs the conformance corpus measures.
    static func parse(_ bytes: UnsafeRawBufferPointer, encoding: String?, base: String?, repairMojibake: Bool = false) -> MarkupElement? {
        if let root = parseStreaming(bytes, encoding: encoding, base: base, repairMojibake: repairMojibake) { return root }
        return parseTree(bytes, encoding: encoding, base: base, repairMojibake: repairMojibake)
    }

    /// The tree from the push parser's SAX2 events; `.none` when the document is not well-formed or declares entities.
    static func parseStreaming(_ bytes: UnsafeRawBufferPointer, encoding: String?, base: String?, repairMojibake: Bool) -> MarkupElement?? {
        guard let start = bytes.baseAddress, bytes.count > 0, bytes.count < Int(Int32.max) else { return .some(nil) }
        // The push parser hands a CDATA section over whole; the pull parser copies it a character at a
        // time, which was the larger part of reading a feed. The document goes in as one chunk.
        var handler = TreeBuilder.makeHandler()
        let head = min(4, bytes.count)
        guard let ctxt = xmlCreatePushParserCtxt(&handler, nil, start.assumingMemoryBound(to: CChar.self), Int32(head), nil) else { return .some(nil) }
        defer { xmlFreeParserCtxt(ctxt) }
        // The builder is reached through a pointer: a class would pay for dynamic exclusivity checks on every callback.
        let builder = UnsafeMutablePointer<TreeBuilder>.allocate(capacity: 1)
        builder.initialize(to: TreeBuilder(context: ctxt, base: base, repair: repairMojibake))
        defer { builder.deinitialize(count: 1); builder.deallocate() }
        ctxt.pointee._private = UnsafeMutableRawPointer(builder)
        // CDATA stays a callback of its own here: the push parser leaves its line ends to us.
        xmlCtxtUseOptions(ctxt, options(encoding: encoding) & ~Int32(XML_PARSE_NOCDATA.rawValue | XML_PARSE_RECOVER.rawValue))
        if let encoding, let handler = xmlFindCharEncodingHandler(encoding) { xmlSwitchToEncoding(ctxt, handler) }
        xmlParseChunk(ctxt, (start + head).assumingMemoryBound(to: CChar.self), Int32(bytes.count - head), 1)
        if let doc = ctxt.pointee.myDoc { xmlFreeDoc(doc); ctxt.pointee.myDoc = nil }
        guard ctxt.pointee.wellFormed != 0, !builder.pointee.declaresEntities, !builder.pointee.tooDeep else { return .none }
        return .some(builder.pointee.finish())
    }

    /// Parses through libxml2's recovering pull parser and its own tree: for broken documents and documents that declare entities.
    static func parseTree(_ bytes: UnsafeRawBufferPointer, encoding: String?, base: String?, repairMojibake: Bool = false) -> MarkupElement? {
        guard let start = bytes.baseAddress, bytes.count > 0, bytes.count < Int(Int32.max) else { return nil }
        let options = options(encoding: encoding)
        let doc: xmlDocPtr? = if let encoding {
            encoding.withCString { xmlReadMemory(start.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil, $0, options) }
        } else {
            xmlReadMemory(start.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil, nil, options)
        }
        guard let doc else { return nil }
        defer { xmlFreeDoc(doc) }
        guard let root = xmlDocGetRootElement(doc) else { return nil }
        return convert(root, parentBase: base, html: false, repair: repairMojibake)
    }

    /// libxml2's tree as a `MarkupElement` tree; elements below `maxDepth` are left out (an HTML page's
    /// depth is not bounded by libxml2, and this recursion must stay shallow).
    fileprivate static func convert(_ node: xmlNodePtr, parentBase: String?, html: Bool, repair: Bool = false, depth: Int = 0) -> MarkupElement {
        let n = node.pointee
        var name = string(n.name) ?? ""
        var prefix = n.ns.flatMap { string($0.pointee.prefix) }
        let namespace = n.ns.flatMap { string($0.pointee.href) }
        // HTML names arrive lower-cased from libxml2's HTML parser.
        if namespace == nil, prefix == nil, let colon = name.firstIndex(of: ":") {
            // An undeclared prefix survives recovery as part of the name.
            prefix = String(name[..<colon])
            name = String(name[name.index(after: colon)...])
        }
        var attributes: [(name: String, namespace: String?, value: String)] = []
        var base = parentBase
        var attr = n.properties
        while let a = attr {
            let aName = string(a.pointee.name) ?? ""
            let aNamespace = a.pointee.ns.flatMap { string($0.pointee.href) }
            // A valueless HTML attribute (<img alt>) means its own name, as in SGML.
            var value = html && a.pointee.children == nil ? aName.lowercased() : ""
            var child = a.pointee.children
            while let c = child {
                if let s = string(c.pointee.content) { value += s }
                else if c.pointee.type == XML_ENTITY_REF_NODE { value += entityText(c) }
                child = c.pointee.next
            }
            if aNamespace == xmlNamespaceURI && aName == "base" {
                base = URIResolver.resolve(value.trimmed, against: parentBase)
            }
            attributes.append((aName, aNamespace, repair ? repairDoubleEncoding(value) : value))
            attr = a.pointee.next
        }
        let element = MarkupElement(name: name, namespace: namespace, prefix: prefix, attributes: attributes, base: base)
        var child = n.children
        var pendingText = ""
        while let c = child {
            switch c.pointee.type {
            case XML_ELEMENT_NODE:
                if !pendingText.isEmpty { element.children.append(.text(repair ? repairDoubleEncoding(pendingText) : pendingText)); pendingText = "" }
                if depth + 1 < maxDepth {
                    element.children.append(.element(convert(c, parentBase: base, html: html, repair: repair, depth: depth + 1)))
                }
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let s = string(c.pointee.content) { pendingText += s }
            case XML_ENTITY_REF_NODE:
                pendingText += entityText(c)
            default:
                break
            }
            child = c.pointee.next
        }
        if !pendingText.isEmpty { element.children.append(.text(repair ? repairDoubleEncoding(pendingText) : pendingText)) }
        return element
    }

    /// Text for an entity reference left unexpanded: HTML's named entities (feeds use `&nbsp;` freely),
    /// else the raw text of a small internal entity. Never an external entity.
    private static func entityText(_ node: xmlNodePtr) -> String {
        guard let name = node.pointee.name else { return "" }
        if let desc = htmlEntityLookup(name), let scalar = Unicode.Scalar(desc.pointee.value) {
            return String(Character(scalar))
        }
        if let target = node.pointee.children, target.pointee.type == XML_ENTITY_DECL {
            let entity = UnsafeMutableRawPointer(target).assumingMemoryBound(to: xmlEntity.self).pointee
            if entity.etype == XML_INTERNAL_GENERAL_ENTITY, entity.length < Int32(maxEntityText),
               let content = string(entity.content), !content.contains("&") {
                return content
            }
        }
        return ""
    }
}

/// Builds the Swift tree from libxml2's SAX2 events, the same tree `convert` makes from libxml2's.
private struct TreeBuilder: ~Copyable {
    /// Events from any other context (libxml2 checks entity content in a nested one) are not ours.
    let context: xmlParserCtxtPtr
    let base: String?
    let repair: Bool
    var root: MarkupElement?
    var stack: [MarkupElement] = []
    /// Children of each open element, gathered here and handed over in one exact-size array when the
    /// element ends (growing each element's own array cost several reallocations per item).
    var children: [[MarkupNode]] = []
    /// Text of the innermost open element since its last child element.
    var pending = ByteWriter(capacity: 4096)
    /// Set when the document declares an entity: then libxml2's tree is used instead.
    var declaresEntities = false
    /// Set when elements nest deeper than `XMLDocumentReader.maxDepth`.
    var tooDeep = false
    /// Names and namespace URIs come interned in libxml2's dictionary: one Swift string each, kept in
    /// slots chosen by address (a collision just makes the string again).
    var names = [(UnsafeRawPointer?, String)](repeating: (nil, ""), count: 256)
    /// Element keys by the addresses of local name, namespace and prefix, slotted the same way.
    var keys = [(UnsafeRawPointer?, UnsafeRawPointer?, UnsafeRawPointer?, String)](repeating: (nil, nil, nil, ""), count: 128)

    init(context: xmlParserCtxtPtr, base: String?, repair: Bool) {
        self.context = context
        self.base = base
        self.repair = repair
    }

    static func of(_ ctx: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<TreeBuilder>? {
        guard let ctx else { return nil }
        let ctxt = ctx.assumingMemoryBound(to: xmlParserCtxt.self)
        guard let owner = ctxt.pointee._private else { return nil }
        let builder = owner.assumingMemoryBound(to: TreeBuilder.self)
        return builder.pointee.context == ctxt ? builder : nil
    }

    mutating func name(_ p: UnsafePointer<xmlChar>?) -> String? {
        guard let p else { return nil }
        let address = UnsafeRawPointer(p)
        let slot = (Int(bitPattern: address) >> 3) & 255
        if names[slot].0 == address { return names[slot].1 }
        let made = String(cString: UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self))
        names[slot] = (address, made)
        return made
    }

    mutating func key(_ localname: UnsafePointer<xmlChar>?, _ uri: UnsafePointer<xmlChar>?, _ prefix: UnsafePointer<xmlChar>?) -> String {
        let l = localname.map(UnsafeRawPointer.init), u = uri.map(UnsafeRawPointer.init), p = prefix.map(UnsafeRawPointer.init)
        let slot = ((Int(bitPattern: l) >> 3) ^ (Int(bitPattern: u) >> 5)) & 127
        let cached = keys[slot]
        if cached.0 == l && cached.1 == u && cached.2 == p && l != nil { return cached.3 }
        let made = MarkupElement.key(name: name(localname) ?? "", namespace: name(uri), prefix: name(prefix))
        keys[slot] = (l, u, p, made)
        return made
    }

    mutating func flush() {
        guard pending.count > 0 else { return }
        defer { pending.removeAll() }
        guard !stack.isEmpty else { return }
        let top = stack.count - 1
        let repaired = repair ? XMLDocumentReader.repairedDoubleEncoding(pending.bytes) : nil
        if pending.count >= 256 {
            // A copy of exactly its size: handing over `pending` itself would leave every long run
            // holding a buffer as large as the longest text seen so far.
            children[top].append(.utf8(repaired ?? Array(pending.bytes)))
        } else {
            children[top].append(.text(repaired.map { String(decoding: $0, as: UTF8.self) } ?? String(decoding: pending.bytes, as: UTF8.self)))
        }
    }

    mutating func start(localname: UnsafePointer<xmlChar>?, prefix: UnsafePointer<xmlChar>?, uri: UnsafePointer<xmlChar>?,
               count: Int, attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        // The tree of an ill-formed document is not used: stop reading it. Nor is one nested deeper than
        // libxml2's own limit: the pull parser then reads it, and bounds it the way libxml2 does.
        guard context.pointee.wellFormed != 0, stack.count < XMLDocumentReader.maxDepth else {
            tooDeep = stack.count >= XMLDocumentReader.maxDepth
            xmlStopParser(context)
            return
        }
        flush()
        var list: [(name: String, namespace: String?, value: String)] = []
        let parentBase = stack.last?.base ?? (root == nil ? base : nil)
        var elementBase = parentBase
        if let attributes, count > 0 {
            list.reserveCapacity(count)
            for k in 0..<count {
                let a = attributes + 5 * k
                let aName = name(a[0]) ?? ""
                let aNamespace = name(a[2])
                var v = ""
                if let from = a[3], let to = a[4] {
                    let raw = UnsafeBufferPointer(start: from, count: to - from)
                    v = XMLDocumentReader.attributeValue(raw)
                }
                if aNamespace == xmlNamespaceURI && aName == "base" {
                    elementBase = URIResolver.resolve(v.trimmed, against: parentBase)
                }
                if repair { v = XMLDocumentReader.repairDoubleEncoding(v) }
                list.append((aName, aNamespace, v))
            }
        }
        let element = MarkupElement(name: name(localname) ?? "", namespace: name(uri), prefix: name(prefix),
                                    attributes: list, base: elementBase, key: key(localname, uri, prefix))
        if !stack.isEmpty { children[stack.count - 1].append(.element(element)) } else if root == nil { root = element }
        stack.append(element)
        if children.count < stack.count { children.append([]) }
    }

    /// Hands the innermost open element its children and closes it.
    mutating func close() {
        guard !stack.isEmpty else { return }
        let depth = stack.count - 1
        stack[depth].children = Array(children[depth][...])
        children[depth].removeAll(keepingCapacity: true)
        stack.removeLast()
    }

    mutating func end() { flush(); close() }
    mutating func finish() -> MarkupElement? {
        // A truncated document leaves elements open: what they hold so far counts, as in libxml2's tree.
        flush()
        while !stack.isEmpty { close() }
        return root
    }

    /// The callbacks, built per parse (a struct of C function pointers; cheap).
    static func makeHandler() -> xmlSAXHandler {
        var h = xmlSAXHandler()
        xmlSAXVersion(&h, 2)
        (h.startElement, h.endElement, h.comment, h.processingInstruction) = (nil, nil, nil, nil)
        h.startElementNs = { ctx, localname, prefix, uri, _, _, count, _, attributes in
            TreeBuilder.of(ctx)?.pointee.start(localname: localname, prefix: prefix, uri: uri, count: Int(count), attributes: attributes)
        }
        h.endElementNs = { ctx, _, _, _ in TreeBuilder.of(ctx)?.pointee.end() }
        h.characters = { ctx, bytes, count in
            guard let builder = TreeBuilder.of(ctx), let bytes, count > 0 else { return }
            builder.pointee.pending.append(UnsafeBufferPointer(start: bytes, count: Int(count)))
        }
        h.ignorableWhitespace = h.characters
        h.cdataBlock = { ctx, bytes, count in
            guard let builder = TreeBuilder.of(ctx), let bytes, count > 0 else { return }
            // XML reads CR LF and lone CR as LF; the pull parser does so inside CDATA, the push parser not.
            let raw = UnsafeRawBufferPointer(start: bytes, count: Int(count))
            if let normalized = ByteScan.normalizingLineEnds(raw) {
                builder.pointee.pending.append(normalized)
            } else {
                builder.pointee.pending.append(raw)
            }
        }
        h.entityDecl = { ctx, _, _, _, _, _ in
            guard let builder = TreeBuilder.of(ctx) else { return }
            builder.pointee.declaresEntities = true
            xmlStopParser(builder.pointee.context)
        }
        // Only entities the document declares come here, and those stop the parse above.
        h.reference = nil
        return h
    }
}

/// Holds the sink behind the parser context's `_private`; a concrete class, so that getting it back in
/// every callback is a plain pointer conversion rather than a dynamic protocol cast.
private final class SinkBox {
    let sink: MarkupEventSink
    init(_ sink: MarkupEventSink) { self.sink = sink }
}

/// The sink a SAX callback's parser context belongs to.
private func eventSink(_ context: UnsafeMutableRawPointer?) -> MarkupEventSink? {
    guard let context else { return nil }
    let ctxt = context.assumingMemoryBound(to: xmlParserCtxt.self)
    guard let owner = ctxt.pointee._private else { return nil }
    return Unmanaged<SinkBox>.fromOpaque(owner).takeUnretainedValue().sink
}

/// Streams HTML fragments through libxml2's HTML SAX parser: no tree, no intermediate Swift nodes.
enum HTMLFragmentStream {
    /// The callbacks, built per parse (a struct of C function pointers; cheap).
    private static func makeHandler() -> htmlSAXHandler {
        var h = htmlSAXHandler()
        h.startElement = { context, name, attributes in
            guard let sink = eventSink(context), let name else { return }
            var list: [(name: String, value: String)] = []
            if var cursor = attributes {
                while let attributeName = cursor.pointee {
                    let value = cursor.successor().pointee
                    // A valueless attribute (<img alt>) means its own name, as in SGML.
                    let name = string(attributeName) ?? ""
                    list.append((name, value.flatMap { string($0) } ?? name))
                    cursor = cursor.successor().successor()
                }
            }
            sink.startElement(string(name) ?? "", attributes: list)
        }
        h.endElement = { context, name in
            guard let sink = eventSink(context), let name else { return }
            sink.endElement(string(name) ?? "")
        }
        h.characters = { context, bytes, count in
            guard let sink = eventSink(context), let bytes, count > 0 else { return }
            sink.characters(UnsafeRawBufferPointer(start: bytes, count: Int(count)))
        }
        // Script and style bodies come as CDATA blocks; they go where characters go.
        h.cdataBlock = h.characters
        return h
    }

    /// Feeds `html`, wrapped in one `<div>` so libxml2 does not invent a `<p>` for leading text;
    /// the wrapper's own events reach the sink too. Returns false if no parser could be made.
    @discardableResult
    static func parse(_ html: String, into sink: MarkupEventSink) -> Bool {
        // Control characters make libxml2's HTML parser give up on the rest of the text: drop them.
        let clean = html.containsByte(where: { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D })
            ? String(String.UnicodeScalarView(html.unicodeScalars.filter { $0.value >= 0x20 || $0 == "\t" || $0 == "\n" || $0 == "\r" }))
            : html
        var source = "<div>" + clean + "</div>"
        var handler = makeHandler()
        return source.withUTF8 { buffer -> Bool in
            guard let base = buffer.baseAddress, buffer.count < Int(Int32.max) else { return false }
            return base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { bytes -> Bool in
                guard let ctxt = htmlCreateMemoryParserCtxt(bytes, Int32(buffer.count)) else { return false }
                defer { htmlFreeParserCtxt(ctxt) }
                htmlCtxtUseOptions(ctxt, Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
                    | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOIMPLIED.rawValue))
                let encoding = xmlFindCharEncodingHandler("UTF-8")
                if let encoding { xmlSwitchToEncoding(ctxt, encoding) }
                let box = SinkBox(sink)
                ctxt.pointee._private = Unmanaged.passUnretained(box).toOpaque()
                defer { withExtendedLifetime(box) {} }
                return withUnsafeMutablePointer(to: &handler) { h -> Bool in
                    let saved = ctxt.pointee.sax
                    ctxt.pointee.sax = UnsafeMutableRawPointer(h).assumingMemoryBound(to: xmlSAXHandler.self)
                    ctxt.pointee.userData = UnsafeMutableRawPointer(ctxt)
                    htmlParseDocument(ctxt)
                    ctxt.pointee.sax = saved
                    return true
                }
            }
        }
    }
}

/// Parses whole HTML pages (feed discovery, article extraction) in `encoding`, a name iconv knows (the
/// caller decides it; libxml2's own guess from `<meta>` is not used). `remove`: XPath expressions whose
/// elements are dropped first; `select`: one whose elements, wrapped in a `<div>`, become the page.
enum HTMLDocumentReader {
    static func parse(_ bytes: UnsafeRawBufferPointer, encoding: String, remove: [String] = [], select: String? = nil) -> MarkupElement? {
        guard let start = bytes.baseAddress, bytes.count > 0, bytes.count < Int(Int32.max) else { return nil }
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
            | HTML_PARSE_NONET.rawValue | HTML_PARSE_COMPACT.rawValue)
        let handler = xmlFindCharEncodingHandler(encoding), name = handler == nil ? "UTF-8" : encoding
        if let handler { xmlCharEncCloseFunc(handler) }
        guard let doc = htmlReadMemory(start.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil, name, options) else { return nil }
        defer { xmlFreeDoc(doc) }
        for expression in remove {
            // Unlinked first, freed after: an element inside another one found is then its own tree.
            let found = XPathQuery.elements(expression, in: doc)
            for node in found { xmlUnlinkNode(node) }
            for node in found { xmlFreeNode(node) }
        }
        guard let select else { return xmlDocGetRootElement(doc).map { XMLDocumentReader.convert($0, parentBase: nil, html: true) } }
        let found = XPathQuery.elements(select, in: doc)
        let chosen = Set(found)
        // An element inside another one found is already there.
        let outermost = found.filter { node in
            var parent = node.pointee.parent
            while let p = parent { if chosen.contains(p) { return false }; parent = p.pointee.parent }
            return true
        }
        guard !outermost.isEmpty else { return nil }
        let root = MarkupElement(name: "div", namespace: nil, prefix: nil, attributes: [], base: nil)
        root.children = outermost.map { .element(XMLDocumentReader.convert($0, parentBase: nil, html: true)) }
        return root
    }
}

/// XPath 1.0 through libxml2, for per-site extraction rules; errors are answers, never printed.
enum XPathQuery {
    static func compiles(_ expression: String) -> Bool {
        guard let context = xmlXPathNewContext(nil) else { return false }
        defer { xmlXPathFreeContext(context) }
        context.pointee.error = { _, _ in }
        guard let compiled = expression.withCString({ xmlXPathCtxtCompile(context, UnsafeRawPointer($0).assumingMemoryBound(to: xmlChar.self)) }) else { return false }
        xmlXPathFreeCompExpr(compiled)
        return true
    }

    /// The elements `expression` selects, in document order.
    fileprivate static func elements(_ expression: String, in doc: htmlDocPtr) -> [xmlNodePtr] {
        guard let context = xmlXPathNewContext(doc) else { return [] }
        defer { xmlXPathFreeContext(context) }
        context.pointee.error = { _, _ in }
        guard let result = expression.withCString({ xmlXPathEvalExpression(UnsafeRawPointer($0).assumingMemoryBound(to: xmlChar.self), context) }) else { return [] }
        defer { xmlXPathFreeObject(result) }
        guard let set = result.pointee.nodesetval, let table = set.pointee.nodeTab else { return [] }
        return (0..<Int(set.pointee.nodeNr)).compactMap { table[$0] }.filter { $0.pointee.type == XML_ELEMENT_NODE }
    }
}

/// HTML 4's named character references, from libxml2's own table.
enum HTMLEntities {
    /// Name → code point, read once from libxml2's table (through its by-value lookup, so the names are
    /// exactly libxml2's). A dictionary: libxml2's by-name lookup compares against every entry in turn,
    /// and bodies and escaped feeds are full of references.
    static let codePoints: [String: UInt32] = {
        var table: [String: UInt32] = [:]
        for value in UInt32(1)...0x2800 {
            guard let entity = htmlEntityValueLookup(value), let name = entity.pointee.name else { continue }
            table[String(cString: UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self))] = value
        }
        return table
    }()

    static func codePoint(_ name: UnsafeBufferPointer<UInt8>) -> UInt32? {
        name.count < 32 ? codePoints[String(decoding: name, as: UTF8.self)] : nil
    }
}

/// RFC 3986 reference resolution through libxml2's `xmlBuildURI`.
enum URIResolver {
    static func resolve(_ reference: String, against base: String?) -> String {
        guard let base, !base.isEmpty else { return reference }
        if reference.isEmpty { return base }
        // Absolute references need no work; this skips the C call for the common case.
        if let colon = reference.firstIndex(of: ":"), reference[..<colon].allSatisfy({ $0.isLetter || $0 == "+" || $0 == "-" || $0 == "." }),
           reference[..<colon].first?.isLetter == true {
            return reference
        }
        let built: UnsafeMutablePointer<xmlChar>? = reference.withCString { r in
            base.withCString { b in
                xmlBuildURI(UnsafeRawPointer(r).assumingMemoryBound(to: xmlChar.self),
                            UnsafeRawPointer(b).assumingMemoryBound(to: xmlChar.self))
            }
        }
        guard let built else {
            // libxml2 refuses references with raw non-ASCII characters or spaces: retry with those
            // percent-encoded, as RFC 3987 maps an IRI to a URI.
            let encoded = URIText.percentEncodingForbidden(reference)
            return encoded == reference ? reference : resolve(encoded, against: base)
        }
        defer { tributary_xml_free(built) }
        return string(built) ?? reference
    }
}
