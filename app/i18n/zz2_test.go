package i18n
import ("testing";"fmt";"go/ast";"go/parser";"go/token";"strconv";"unicode";"path/filepath")
func TestAllLits(t *testing.T){
 files,_:=filepath.Glob("../../ui/*.go")
 for _,p:=range files{
  if len(p)>8 && p[len(p)-8:]=="_test.go"{continue}
  fset:=token.NewFileSet(); f,_:=parser.ParseFile(fset,p,nil,parser.ParseComments)
  ex:=map[*ast.BasicLit]bool{}
  ast.Inspect(f,func(n ast.Node)bool{
   if c,ok:=n.(*ast.CallExpr);ok{ var fn string; switch x:=c.Fun.(type){case *ast.Ident:fn=x.Name;case *ast.SelectorExpr:fn=x.Sel.Name}
    if (fn=="T"||fn=="Tf"||fn=="N") && len(c.Args)>0 { ast.Inspect(c.Args[0],func(m ast.Node)bool{if l,ok:=m.(*ast.BasicLit);ok{ex[l]=true};return true}) } }
   if is,ok:=n.(*ast.ImportSpec);ok{ex[is.Path]=true}
   return true})
  for _,u:=range untranslatedIn(f){ex[u]=true}
  ast.Inspect(f,func(n ast.Node)bool{ l,ok:=n.(*ast.BasicLit); if !ok||l.Kind!=token.STRING||ex[l]{return true}
   s,_:=strconv.Unquote(l.Value); letters:=0; for _,r:=range s{if unicode.IsLetter(r){letters++}}
   if letters>=2 { fmt.Printf("%s:%d:%q\n",filepath.Base(p),fset.Position(l.Pos()).Line,s)}
   return true})
 }
}
