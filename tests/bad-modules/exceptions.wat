(module (tag $e) (func (export "_start") (throw $e)))
