package i18n
import ("testing";"fmt")
func TestFindAdm(t *testing.T){
 f,_,err:=Untranslated("../../ui"); if err!=nil{t.Fatal(err)}
 for _,x:=range f{ fmt.Printf("%s:%d:%q\n",x.File,x.Line,x.Text)}
}
