#pragma once
// A restricted reader of Python pickles: it runs the pickle machine over plain data (numbers,
// strings, bytes, tuples, lists, dicts) and hands every reference to a Python global, every call
// (REDUCE, BUILD) and every persistent id to a Policy, which builds the few objects it knows and
// refuses all others. Nothing is ever imported or executed: an object pickle describes as
// "call os.system" is, to this reader, a refused name in an error message. Opcodes that
// instantiate classes directly (INST, OBJ, NEWOBJ, EXT*) and the text protocol 0 are refused.
//
// Objects live in an arena owned by the Unpickler and are named by index, so cycles built through
// the memo cost no memory leak and no endless recursion: nothing here walks an object graph.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace transformers::io::pickle {

using Ref = uint32_t;

enum class Kind : uint8_t { None, Bool, Int, Float, String, Bytes, Tuple, List, Dict, Global, Opaque };

struct Object {
  Kind kind = Kind::None;
  int64_t integer = 0;     // Bool, Int; Opaque: the policy's own index
  double real = 0;         // Float
  std::string text;        // String, Bytes; Global: "module.name"
  std::vector<Ref> items;  // Tuple, List; Dict: key, value, key, value, ...
};

class Unpickler;

// What the reader may build beyond plain data. Each hook returns the object it made or throws
// FileError (through Unpickler::fail) naming what it refused.
class Policy {
 public:
  virtual ~Policy() = default;
  // GLOBAL / STACK_GLOBAL "module.name": may the pickle refer to it at all?
  virtual bool allows_global(const std::string& qualified_name) const = 0;
  // REDUCE: the global called with the tuple `args`.
  virtual Ref call(Unpickler& in, const std::string& qualified_name, Ref args) = 0;
  // BUILD: `state` applied to `target` (the default refuses).
  virtual void build(Unpickler& in, Ref target, Ref state);
  // BINPERSID: the object a persistent id stands for (the default refuses).
  virtual Ref persistent_load(Unpickler& in, Ref id);
};

class Unpickler {
 public:
  // Reads pickles from bytes[0, size); `where` names them in errors ("m.bin: archive/data.pkl").
  Unpickler(const unsigned char* bytes, uint64_t size, std::string where, Policy& policy);

  // Runs the machine from the current position to STOP; returns the pickled object. Several
  // pickles written one after another are read by calling it again (position() says where the
  // next one starts).
  Ref load();
  uint64_t position() const { return position_; }

  const Object& at(Ref ref) const { return objects_[ref]; }
  Ref make(Object object);
  [[noreturn]] void fail(const std::string& problem) const;

  // Typed access for policies; each throws a FileError naming `what` when the object differs.
  int64_t as_int(Ref ref, const std::string& what) const;
  bool as_bool(Ref ref, const std::string& what) const;
  const std::string& as_string(Ref ref, const std::string& what) const;
  const std::vector<Ref>& as_tuple(Ref ref, const std::string& what) const;  // a tuple or a list
  const std::vector<Ref>& as_int_tuple(Ref ref, const std::string& what) const;

 private:
  void step(uint8_t opcode);
  Ref pop();
  Ref top() const;
  std::vector<Ref> pop_to_mark();
  void push(Ref ref) { stack_.push_back(ref); }
  const unsigned char* take(uint64_t count);
  uint64_t read_le(int count);
  void memo_put(uint64_t index);
  Ref memo_get(uint64_t index) const;
  Object& mutable_at(Ref ref) { return objects_[ref]; }
  void push_global(const std::string& module, const std::string& name);
  void append_items(Ref list, const std::vector<Ref>& items);
  void set_items(Ref dict, const std::vector<Ref>& pairs);
  void push_int_bytes(uint64_t count);
  std::string read_line();

  const unsigned char* bytes_;
  uint64_t size_;
  uint64_t position_ = 0;
  uint64_t opcode_at_ = 0;
  std::string where_;
  Policy& policy_;
  std::vector<Object> objects_;
  std::vector<Ref> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, Ref> memo_;
  bool stopped_ = false;
};

}  // namespace transformers::io::pickle
