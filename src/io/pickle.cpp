// The restricted pickle machine (see pickle.hpp). Opcode meanings follow CPython's
// Lib/pickletools.py; every length read from the input is checked against what is left of it
// before anything is allocated.
#include "pickle.hpp"

#include <bit>
#include <cstring>

#include "transformers/core/error.hpp"
#include "transformers/io/safe_path.hpp"
#include "utf8.hpp"

namespace transformers::io::pickle {

namespace {

constexpr size_t kMaxLine = 256;  // a GLOBAL's module or name

std::string hex_byte(uint8_t byte) {
  static constexpr char kDigits[] = "0123456789abcdef";
  return std::string("0x") + kDigits[byte >> 4] + kDigits[byte & 15];
}

// Why an opcode that exists in some protocol is not run here; nullptr for the ones that are.
const char* refusal_of(uint8_t opcode) {
  switch (opcode) {
    case 'i': return "INST builds an instance of a named class";
    case 'o': return "OBJ builds an instance of a class";
    case 0x81: return "NEWOBJ builds an instance of a class";
    case 0x92: return "NEWOBJ_EX builds an instance of a class";
    case 0x82:
    case 0x83:
    case 0x84: return "EXT* looks up a global in the copyreg extension registry";
    case 'P': return "PERSID is protocol 0's persistent id";
    case 'I':
    case 'L':
    case 'F':
    case 'S':
    case 'V':
    case 'p':
    case 'g': return "text-protocol (0) opcodes are not read";
    case 0x8f:
    case 0x90:
    case 0x91: return "sets are not part of a state dict";
    case 0x96:
    case 0x97:
    case 0x98: return "out-of-band buffers are not read";
    default: return nullptr;
  }
}

}  // namespace

void Policy::build(Unpickler& in, Ref, Ref) { in.fail("BUILD (setting an object's state) is not allowed here"); }

Ref Policy::persistent_load(Unpickler& in, Ref) { in.fail("persistent ids are not allowed here"); }

Unpickler::Unpickler(const unsigned char* bytes, uint64_t size, std::string where, Policy& policy)
    : bytes_(bytes), size_(size), where_(std::move(where)), policy_(policy) {}

void Unpickler::fail(const std::string& problem) const {
  throw FileError(where_ + ": pickle byte " + std::to_string(opcode_at_) + ": " + problem);
}

Ref Unpickler::make(Object object) {
  if (objects_.size() >= UINT32_MAX) fail("too many objects");
  objects_.push_back(std::move(object));
  return static_cast<Ref>(objects_.size() - 1);
}

const unsigned char* Unpickler::take(uint64_t count) {
  if (count > size_ - position_)
    fail("wants " + std::to_string(count) + " more bytes but only " + std::to_string(size_ - position_) + " are left");
  const unsigned char* start = bytes_ + position_;
  position_ += count;
  return start;
}

uint64_t Unpickler::read_le(int count) {
  const unsigned char* at = take(static_cast<uint64_t>(count));
  uint64_t value = 0;
  for (int i = count - 1; i >= 0; --i) value = (value << 8) | at[i];
  return value;
}

std::string Unpickler::read_line() {
  std::string line;
  while (true) {
    const char c = static_cast<char>(*take(1));
    if (c == '\n') return line;
    if (line.size() == kMaxLine) fail("a GLOBAL's name is longer than " + std::to_string(kMaxLine) + " bytes");
    line += c;
  }
}

Ref Unpickler::pop() {
  if (stack_.empty() || (!marks_.empty() && marks_.back() == stack_.size())) fail("pops from an empty stack");
  const Ref ref = stack_.back();
  stack_.pop_back();
  return ref;
}

Ref Unpickler::top() const {
  if (stack_.empty() || (!marks_.empty() && marks_.back() == stack_.size())) fail("reads an empty stack");
  return stack_.back();
}

std::vector<Ref> Unpickler::pop_to_mark() {
  if (marks_.empty()) fail("no MARK to pop to");
  std::vector<Ref> items(stack_.begin() + static_cast<std::ptrdiff_t>(marks_.back()), stack_.end());
  stack_.resize(marks_.back());
  marks_.pop_back();
  return items;
}

void Unpickler::memo_put(uint64_t index) { memo_[index] = top(); }

Ref Unpickler::memo_get(uint64_t index) const {
  const auto found = memo_.find(index);
  if (found == memo_.end()) fail("memo entry " + std::to_string(index) + " was never stored");
  return found->second;
}

void Unpickler::push_global(const std::string& module, const std::string& name) {
  const std::string qualified = module + "." + name;
  if (!policy_.allows_global(qualified))
    fail("refers to the Python global '" + printable(qualified) +
         "', which a PyTorch state dict never needs; refused without importing or running anything");
  Object global;
  global.kind = Kind::Global;
  global.text = qualified;
  push(make(std::move(global)));
}

void Unpickler::append_items(Ref list, const std::vector<Ref>& items) {
  if (at(list).kind != Kind::List) fail("APPEND(S) to something that is not a list");
  std::vector<Ref>& into = mutable_at(list).items;
  into.insert(into.end(), items.begin(), items.end());
}

void Unpickler::set_items(Ref dict, const std::vector<Ref>& pairs) {
  if (at(dict).kind != Kind::Dict) fail("SETITEM(S) on something that is not a dict");
  if (pairs.size() % 2 != 0) fail("SETITEMS with a key and no value");
  std::vector<Ref>& into = mutable_at(dict).items;
  into.insert(into.end(), pairs.begin(), pairs.end());
}

// LONG1 / LONG4: a little-endian two's-complement integer of `count` bytes; wider than 64 bits is
// refused (no tensor size or offset needs it).
void Unpickler::push_int_bytes(uint64_t count) {
  if (count > 8) fail("an integer of " + std::to_string(count) + " bytes is wider than 64 bits");
  const unsigned char* at = take(count);
  uint64_t value = 0;
  for (uint64_t i = count; i-- > 0;) value = (value << 8) | at[i];
  if (count > 0 && count < 8 && (at[count - 1] & 0x80)) value |= ~uint64_t{0} << (8 * count);
  Object number;
  number.kind = Kind::Int;
  number.integer = static_cast<int64_t>(value);
  push(make(std::move(number)));
}

Ref Unpickler::load() {
  stopped_ = false;
  stack_.clear();
  marks_.clear();
  memo_.clear();  // each pickle has its own memo
  while (!stopped_) {
    opcode_at_ = position_;
    if (position_ >= size_) fail("ends before its STOP opcode");
    step(*take(1));
  }
  if (stack_.size() != 1 || !marks_.empty())
    fail("STOP with " + std::to_string(stack_.size()) + " objects on the stack");
  return stack_.back();
}

void Unpickler::step(uint8_t opcode) {
  const auto push_new = [&](Kind kind, auto&& fill) {
    Object object;
    object.kind = kind;
    fill(object);
    push(make(std::move(object)));
  };
  const auto push_text = [&](Kind kind, uint64_t length) {
    const unsigned char* at = take(length);
    std::string text(reinterpret_cast<const char*>(at), length);
    if (kind == Kind::String && detail::find_invalid_utf8(text) != std::string::npos)
      fail("a string is not valid UTF-8");
    push_new(kind, [&](Object& o) { o.text = std::move(text); });
  };
  const auto push_tuple = [&](std::vector<Ref> items) {
    push_new(Kind::Tuple, [&](Object& o) { o.items = std::move(items); });
  };
  switch (opcode) {
    case 0x80: {
      const uint64_t protocol = read_le(1);
      if (protocol < 2 || protocol > 5)
        fail("pickle protocol " + std::to_string(protocol) + " is not read (2 to 5 are)");
      return;
    }
    case 0x95: read_le(8); return;  // FRAME: a length hint
    case '.': stopped_ = true; return;
    case '(': marks_.push_back(stack_.size()); return;
    case '0':
      if (!marks_.empty() && marks_.back() == stack_.size())
        marks_.pop_back();
      else
        pop();
      return;
    case '1': pop_to_mark(); return;
    case '2': push(top()); return;
    case 'N': push_new(Kind::None, [](Object&) {}); return;
    case 0x88:
    case 0x89: push_new(Kind::Bool, [&](Object& o) { o.integer = opcode == 0x88; }); return;
    case 'J': push_new(Kind::Int, [&](Object& o) { o.integer = static_cast<int32_t>(read_le(4)); }); return;
    case 'K': push_new(Kind::Int, [&](Object& o) { o.integer = static_cast<int64_t>(read_le(1)); }); return;
    case 'M': push_new(Kind::Int, [&](Object& o) { o.integer = static_cast<int64_t>(read_le(2)); }); return;
    case 0x8a: push_int_bytes(read_le(1)); return;
    case 0x8b: {
      const int32_t count = static_cast<int32_t>(read_le(4));
      if (count < 0) fail("LONG4 with a negative length");
      push_int_bytes(static_cast<uint64_t>(count));
      return;
    }
    case 'G': {
      const uint64_t bits = __builtin_bswap64(read_le(8));  // BINFLOAT is big-endian
      push_new(Kind::Float, [&](Object& o) { o.real = std::bit_cast<double>(bits); });
      return;
    }
    case 'X': push_text(Kind::String, read_le(4)); return;
    case 0x8c: push_text(Kind::String, read_le(1)); return;
    case 0x8d: push_text(Kind::String, read_le(8)); return;
    case 'T': {
      const int32_t length = static_cast<int32_t>(read_le(4));
      if (length < 0) fail("BINSTRING with a negative length");
      push_text(Kind::Bytes, static_cast<uint64_t>(length));
      return;
    }
    case 'U':
    case 'C': push_text(Kind::Bytes, read_le(1)); return;
    case 'B': push_text(Kind::Bytes, read_le(4)); return;
    case 0x8e: push_text(Kind::Bytes, read_le(8)); return;
    case ')': push_tuple({}); return;
    case 't': push_tuple(pop_to_mark()); return;
    case 0x85:
    case 0x86:
    case 0x87: {
      std::vector<Ref> items(opcode - 0x84);
      for (size_t i = items.size(); i-- > 0;) items[i] = pop();
      push_tuple(std::move(items));
      return;
    }
    case ']': push_new(Kind::List, [](Object&) {}); return;
    case 'l': push_new(Kind::List, [&](Object& o) { o.items = pop_to_mark(); }); return;
    case 'a': {
      const Ref item = pop();
      append_items(top(), {item});
      return;
    }
    case 'e': {
      const std::vector<Ref> items = pop_to_mark();
      append_items(top(), items);
      return;
    }
    case '}': push_new(Kind::Dict, [](Object&) {}); return;
    case 'd': {
      std::vector<Ref> pairs = pop_to_mark();
      if (pairs.size() % 2 != 0) fail("DICT with a key and no value");
      push_new(Kind::Dict, [&](Object& o) { o.items = std::move(pairs); });
      return;
    }
    case 's': {
      const Ref value = pop();
      const Ref key = pop();
      set_items(top(), {key, value});
      return;
    }
    case 'u': {
      const std::vector<Ref> pairs = pop_to_mark();
      set_items(top(), pairs);
      return;
    }
    case 'q': memo_put(read_le(1)); return;
    case 'r': memo_put(read_le(4)); return;
    case 0x94: memo_put(memo_.size()); return;
    case 'h': push(memo_get(read_le(1))); return;
    case 'j': push(memo_get(read_le(4))); return;
    case 'c': {
      const std::string module = read_line();
      push_global(module, read_line());
      return;
    }
    case 0x93: {
      const Ref name = pop();
      const Ref module = pop();
      push_global(as_string(module, "STACK_GLOBAL's module"), as_string(name, "STACK_GLOBAL's name"));
      return;
    }
    case 'R': {
      const Ref args = pop();
      const Ref callable = pop();
      if (at(callable).kind != Kind::Global) fail("REDUCE calls something that is not a global");
      if (at(args).kind != Kind::Tuple) fail("REDUCE's arguments are not a tuple");
      push(policy_.call(*this, at(callable).text, args));
      return;
    }
    case 'b': {
      const Ref state = pop();
      policy_.build(*this, top(), state);
      return;
    }
    case 'Q': push(policy_.persistent_load(*this, pop())); return;
    default: break;
  }
  if (const char* why = refusal_of(opcode)) fail("opcode " + hex_byte(opcode) + " refused: " + why);
  fail("unknown opcode " + hex_byte(opcode));
}

int64_t Unpickler::as_int(Ref ref, const std::string& what) const {
  if (at(ref).kind != Kind::Int && at(ref).kind != Kind::Bool) fail(what + " must be an integer");
  return at(ref).integer;
}

bool Unpickler::as_bool(Ref ref, const std::string& what) const {
  if (at(ref).kind != Kind::Bool) fail(what + " must be True or False");
  return at(ref).integer != 0;
}

const std::string& Unpickler::as_string(Ref ref, const std::string& what) const {
  if (at(ref).kind != Kind::String) fail(what + " must be a string");
  return at(ref).text;
}

const std::vector<Ref>& Unpickler::as_tuple(Ref ref, const std::string& what) const {
  if (at(ref).kind != Kind::Tuple && at(ref).kind != Kind::List) fail(what + " must be a tuple");
  return at(ref).items;
}

const std::vector<Ref>& Unpickler::as_int_tuple(Ref ref, const std::string& what) const {
  const std::vector<Ref>& items = as_tuple(ref, what);
  for (Ref item : items) as_int(item, what + "'s items");
  return items;
}

}  // namespace transformers::io::pickle
