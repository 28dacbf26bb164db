(module (type (struct (field i32))) (func (export "_start")))
